#ifndef WORKBENCH_ZLIB_SHIM_H
#define WORKBENCH_ZLIB_SHIM_H
#include <zlib.h>
#endif
