// Typed wrappers for libcurl's variadic setopt/getinfo, which Swift cannot call.
#include <curl/curl.h>
