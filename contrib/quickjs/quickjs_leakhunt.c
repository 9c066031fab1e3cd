/* QuickJS-ng and the leakhunt dumper in one translation unit: the dumper reads private
 * structures of quickjs.c. Compile this file instead of quickjs.c. */
#include "quickjs.c"
#include "leakhunt_dump.c"
