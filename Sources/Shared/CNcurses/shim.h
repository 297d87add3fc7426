// SwiftPM drops pkg-config -D flags, so wide-char ncurses must be asked for here.
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <curses.h>
