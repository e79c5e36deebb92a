#ifndef WORKBENCH_CMPI_SHIM_H
#define WORKBENCH_CMPI_SHIM_H
/* Open MPI for Swift. MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, MPI_IN_PLACE and
   MPI_STATUS_IGNORE are macros over addresses of globals, which Swift cannot
   import; these inline wrappers name them once. Only WorkbenchMPI imports
   this module. Every wrapper returns MPI's error code (MPI_SUCCESS = 0). */
#define OMPI_SKIP_MPICXX 1
#include <mpi.h>

static inline int cmpi_success(void) { return MPI_SUCCESS; }
static inline int cmpi_thread_single(void) { return MPI_THREAD_SINGLE; }
static inline int cmpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int cmpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
static inline int cmpi_thread_multiple(void) { return MPI_THREAD_MULTIPLE; }

/* MPI_Init_thread without argc/argv; `provided` receives the level granted. */
static inline int cmpi_init_thread(int required, int *provided) {
    return MPI_Init_thread(NULL, NULL, required, provided);
}
static inline int cmpi_initialized(int *flag) { return MPI_Initialized(flag); }
static inline int cmpi_finalized(int *flag) { return MPI_Finalized(flag); }
static inline int cmpi_finalize(void) { return MPI_Finalize(); }
static inline int cmpi_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }
static inline int cmpi_rank(int *rank) { return MPI_Comm_rank(MPI_COMM_WORLD, rank); }
static inline int cmpi_size(int *size) { return MPI_Comm_size(MPI_COMM_WORLD, size); }
static inline double cmpi_wtime(void) { return MPI_Wtime(); }

/* Errors return to the caller (which names the collective and aborts the
   job with that message) instead of MPI's generic fatal handler. */
static inline int cmpi_errors_return(void) {
    return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}
static inline void cmpi_error_string(int code, char *buffer, int capacity) {
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
    if (capacity <= 0) return;
    if (length >= capacity) length = capacity - 1;
    for (int i = 0; i < length; i++) buffer[i] = text[i];
    buffer[length] = 0;
}
static inline void cmpi_processor_name(char *buffer, int capacity) {
    char text[MPI_MAX_PROCESSOR_NAME];
    int length = 0;
    if (MPI_Get_processor_name(text, &length) != MPI_SUCCESS) length = 0;
    if (capacity <= 0) return;
    if (length >= capacity) length = capacity - 1;
    for (int i = 0; i < length; i++) buffer[i] = text[i];
    buffer[length] = 0;
}

/* Non-blocking collectives on MPI_COMM_WORLD, completed with cmpi_test. */
static inline int cmpi_iallreduce_sum_float(float *buffer, int count, MPI_Request *request) {
    return MPI_Iallreduce(MPI_IN_PLACE, buffer, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, request);
}
static inline int cmpi_iallreduce_sum_double(double *buffer, int count, MPI_Request *request) {
    return MPI_Iallreduce(MPI_IN_PLACE, buffer, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD, request);
}
static inline int cmpi_ibcast_bytes(void *buffer, int count, int root, MPI_Request *request) {
    return MPI_Ibcast(buffer, count, MPI_BYTE, root, MPI_COMM_WORLD, request);
}
static inline int cmpi_iallgather_float(const float *send, int count, float *receive, MPI_Request *request) {
    return MPI_Iallgather(send, count, MPI_FLOAT, receive, count, MPI_FLOAT, MPI_COMM_WORLD, request);
}
static inline int cmpi_ibarrier(MPI_Request *request) { return MPI_Ibarrier(MPI_COMM_WORLD, request); }
static inline int cmpi_test(MPI_Request *request, int *done) { return MPI_Test(request, done, MPI_STATUS_IGNORE); }
static inline MPI_Request cmpi_request_null(void) { return MPI_REQUEST_NULL; }

#endif
