#ifndef WORKBENCH_NCURSES_SHIM_H
#define WORKBENCH_NCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <wchar.h>
#include <ncursesw/ncurses.h>
#endif
