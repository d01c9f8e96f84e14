#include "CNumberFormat.h"

#include <stdio.h>

int kfpm_format_double(char *out, size_t size, char conversion, int precision, double value) {
    switch (conversion) {
    case 'f': return snprintf(out, size, "%.*f", precision, value);
    case 'e': return snprintf(out, size, "%.*e", precision, value);
    default: return snprintf(out, size, "%.*g", precision, value);
    }
}
