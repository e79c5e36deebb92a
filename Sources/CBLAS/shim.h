#ifndef WORKBENCH_CBLAS_SHIM_H
#define WORKBENCH_CBLAS_SHIM_H
#include <cblas.h>
/* OpenBLAS extensions (declared in OpenBLAS's cblas.h; repeated so that a
   reference cblas.h from another provider still compiles). */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
/* The kernel set OpenBLAS chose at load time for this CPU (e.g. "SkylakeX", "Haswell", "Zen"). */
char *openblas_get_corename(void);
#endif
