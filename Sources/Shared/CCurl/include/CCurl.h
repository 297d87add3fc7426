// Typed wrappers for libcurl's variadic setopt/getinfo, which Swift cannot call.
// Only the CurlHTTP module imports this.
#ifndef CCURL_H
#define CCURL_H
#include <curl/curl.h>
#include <stddef.h>

typedef size_t (*ccurl_data_callback)(char *data, size_t size, size_t nmemb, void *userdata);

CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode ccurl_setopt_write_function(CURL *handle, ccurl_data_callback callback);
CURLcode ccurl_setopt_header_function(CURL *handle, ccurl_data_callback callback);
typedef int (*ccurl_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
/// Progress callback; a non-zero return aborts the transfer (used for cancellation).
CURLcode ccurl_setopt_xferinfo_function(CURL *handle, ccurl_xferinfo_callback callback);
/// Copies `length` bytes (libcurl copies blobs with CURL_BLOB_COPY), e.g. CURLOPT_CAINFO_BLOB.
CURLcode ccurl_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length);
/// POST body of exactly `length` bytes, copied by libcurl (binary-safe).
CURLcode ccurl_setopt_postfields_copy(CURL *handle, const void *data, size_t length);

CURLcode ccurl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ccurl_getinfo_double(CURL *handle, CURLINFO info, double *value);
CURLcode ccurl_getinfo_string(CURL *handle, CURLINFO info, const char **value);

struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *value);
void ccurl_slist_free(struct curl_slist *list);
#endif
