// SwiftPM drops pkg-config -D flags, so wide-char ncurses must be asked for here.
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <curses.h>

// Swift cannot import function-like macros (getmaxyx, COLOR_PAIR, mvadd_wch…), computed attribute
// macros (A_BOLD…) or mutable C globals (stdscr, COLORS) under strict concurrency: these shims
// expose them as functions and constants. Only the TerminalScreen module calls them.

enum {
    CN_OK = OK,
    CN_ERR = ERR,
    CN_KEY_CODE_YES = KEY_CODE_YES,
    CN_KEY_RESIZE = KEY_RESIZE,
    CN_KEY_ENTER = KEY_ENTER,
    CN_KEY_BACKSPACE = KEY_BACKSPACE,
    CN_KEY_UP = KEY_UP,
    CN_KEY_DOWN = KEY_DOWN,
    CN_KEY_LEFT = KEY_LEFT,
    CN_KEY_RIGHT = KEY_RIGHT,
};

static inline attr_t cn_a_normal(void) { return A_NORMAL; }
static inline attr_t cn_a_bold(void) { return A_BOLD; }
static inline attr_t cn_a_reverse(void) { return A_REVERSE; }
static inline attr_t cn_a_dim(void) { return A_DIM; }
static inline attr_t cn_a_underline(void) { return A_UNDERLINE; }
static inline int cn_color_pair(int n) { return (int)COLOR_PAIR(n); }

static inline int cn_colors(void) { return COLORS; }
static inline int cn_color_pairs(void) { return COLOR_PAIRS; }

/// newterm on the given descriptors: unlike initscr it returns NULL instead of exiting on failure.
/// For stdin/stdout it uses the process's streams; otherwise it opens its own (returned in
/// *outFile / *inFile for the caller to fclose after delscreen). `type` NULL means $TERM.
static inline SCREEN *cn_newterm(const char *type, int outfd, int infd, FILE **outFile, FILE **inFile) {
    *outFile = NULL;
    *inFile = NULL;
    if (outfd == STDOUT_FILENO && infd == STDIN_FILENO) return newterm(type, stdout, stdin);
    FILE *o = fdopen(dup(outfd), "w");
    FILE *i = fdopen(dup(infd), "r");
    SCREEN *screen = (o && i) ? newterm(type, o, i) : NULL;
    if (!screen) {
        if (o) fclose(o);
        if (i) fclose(i);
        return NULL;
    }
    *outFile = o;
    *inFile = i;
    return screen;
}

static inline WINDOW *cn_stdscr(void) { return stdscr; }

static inline void cn_getmaxyx(WINDOW *win, int *rows, int *cols) {
    int y, x;
    getmaxyx(win, y, x);
    *rows = y;
    *cols = x;
}

/// Puts one cell: `text` is a NUL-terminated wide string (one spacing character, optionally followed
/// by combining characters). Returns ERR only if setcchar rejects the text; the ERR that waddch gives
/// for the bottom-right corner (it cannot scroll) is ignored, since the cell is written anyway.
static inline int cn_put_cell(WINDOW *win, int y, int x, const wchar_t *text, attr_t attrs, short pair) {
    cchar_t cell;
    if (setcchar(&cell, text, attrs, pair, NULL) == ERR) return ERR;
    (void)mvwadd_wch(win, y, x, &cell);
    return OK;
}

/// Asks the terminal on `fd` for its size; if it differs from what ncurses believes, resizes
/// ncurses to it and returns 1. Covers terminals whose SIGWINCH does not reach ncurses.
static inline int cn_poll_resize(int fd) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return 0;
    if (ws.ws_row == LINES && ws.ws_col == COLS) return 0;
    return resizeterm(ws.ws_row, ws.ws_col) == OK;
}

static inline int cn_file_descriptor(FILE *file) { return fileno(file); }

static inline int cn_get_key(WINDOW *win, wint_t *out) { return wget_wch(win, out); }

static inline int cn_wcwidth(wchar_t c) { return wcwidth(c); }
