#ifndef KFPM_CNUMBERFORMAT_H
#define KFPM_CNUMBERFORMAT_H

#include <stddef.h>

/// printf's formatting of one double with a precision: `conversion` is 'f', 'e' or 'g' (`%.*f`, `%.*e`,
/// `%.*g`); kfpm never calls setlocale, so the notation is the C locale's. Writes at most `size` bytes including the
/// terminating NUL into `out`; returns what snprintf returns.
///
/// Swift reaches C's variadic printf only through `withVaList`, whose boxing of every argument costs several
/// times the formatting itself on a path that runs for every cell of a table.
int kfpm_format_double(char *out, size_t size, char conversion, int precision, double value);

#endif
