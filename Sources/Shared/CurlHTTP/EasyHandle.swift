import Foundation
import CCurl
import Synchronization

/// curl_global_init is not thread-safe; a global `let` is initialised exactly once, before first use.
private let curlGlobalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

/// Set by the async side when the awaiting task is cancelled; read by libcurl's progress callback.
final class CancelFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func cancel() { flag.store(true, ordering: .relaxed) }
    var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

/// Collects one transfer's output; reached from libcurl callbacks through the userdata pointer.
private final class TransferSink {
    var body: [UInt8] = []
    var headers = HTTPHeaders()
    var exceeded = false
    let maxBytes: Int
    let cancel: CancelFlag
    init(maxBytes: Int, cancel: CancelFlag) {
        self.maxBytes = maxBytes
        self.cancel = cancel
    }
}

/// Owns one CURL easy handle. Used by one thread at a time (the client checks it out of its pool);
/// libcurl keeps the handle's connection cache across `curl_easy_reset`, so reuse keeps connections alive.
final class EasyHandle: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer

    init() throws(HTTPClientError) {
        guard curlGlobalInit == CURLE_OK, let handle = curl_easy_init() else {
            throw HTTPClientError(.other, "libcurl could not be initialised")
        }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// Runs one blocking transfer on the calling thread.
    func perform(_ request: HTTPRequest, configuration: HTTPClientConfiguration, cancel: CancelFlag) throws(HTTPClientError) -> HTTPResponse {
        curl_easy_reset(handle)
        guard let parts = URLParts(request.url) else {
            throw HTTPClientError(.invalidRequest, "invalid URL for \(request.method): expected http(s)://host[:port]/path")
        }
        for (name, value) in request.headers {
            // CR/LF would let a caller (or a value it passes through) inject extra header lines.
            guard !name.isEmpty, !name.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == ":" || $0 == " " }),
                  !value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw HTTPClientError(.invalidRequest, "invalid header field \"\(name.prefix(40))\" for \(request): names need a token, values no line breaks")
            }
        }
        let timeouts = request.timeouts ?? configuration.timeouts
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { ccurl_slist_free(headerList) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let sink = TransferSink(maxBytes: configuration.maxResponseBytes, cancel: cancel)
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()

        let code: CURLcode = withExtendedLifetime(sink) {
            errorBuffer.withUnsafeMutableBufferPointer { errorBufferPointer -> CURLcode in
                var rc = CURLE_OK
                func set(_ result: CURLcode) { if rc == CURLE_OK { rc = result } }

                set(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBufferPointer.baseAddress))
                set(ccurl_setopt_string(handle, CURLOPT_URL, request.url))
                set(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
                set(ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
                set(ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(timeouts.connect)))
                set(ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(timeouts.total)))
                set(ccurl_setopt_string(handle, CURLOPT_USERAGENT, configuration.userAgent))
                set(ccurl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ""))
                if configuration.followRedirects {
                    set(ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1))
                    set(ccurl_setopt_long(handle, CURLOPT_MAXREDIRS, 5))
                }
                // An empty string disables proxies, including any from the environment.
                set(ccurl_setopt_string(handle, CURLOPT_PROXY, configuration.proxyURL ?? ""))

                switch request.method {
                case .get: set(ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1))
                case .head: set(ccurl_setopt_long(handle, CURLOPT_NOBODY, 1))
                default:
                    if request.method == .post {
                        set(ccurl_setopt_long(handle, CURLOPT_POST, 1))
                    } else {
                        set(ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue))
                    }
                }
                if let body = request.body {
                    if request.method == .get || request.method == .head {
                        set(ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue))
                    }
                    set(body.withUnsafeBytes { ccurl_setopt_postfields_copy(handle, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), $0.count) })
                } else if request.method == .post {
                    set(ccurl_setopt_postfields_copy(handle, "", 0))
                }

                // Without this libcurl waits up to 1 s for "100 Continue" before sending larger bodies.
                headerList = ccurl_slist_append(headerList, "Expect:")
                for (name, value) in request.headers {
                    headerList = ccurl_slist_append(headerList, "\(name): \(value)")
                }
                if let authorization = request.authorization {
                    headerList = ccurl_slist_append(headerList, "Authorization: \(authorization.headerValue)")
                }
                set(ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))

                set(applyTLS(configuration.tls))

                set(ccurl_setopt_write_function(handle) { data, size, count, userdata in
                    let sink = Unmanaged<TransferSink>.fromOpaque(userdata!).takeUnretainedValue()
                    let n = size * count
                    if sink.cancel.isCancelled { return 0 }
                    if sink.body.count + n > sink.maxBytes {
                        sink.exceeded = true
                        return 0
                    }
                    if let data, n > 0 {
                        data.withMemoryRebound(to: UInt8.self, capacity: n) {
                            sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n))
                        }
                    }
                    return n
                })
                set(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer))
                set(ccurl_setopt_header_function(handle) { data, size, count, userdata in
                    let sink = Unmanaged<TransferSink>.fromOpaque(userdata!).takeUnretainedValue()
                    let n = size * count
                    guard let data, n > 0 else { return n }
                    let line = data.withMemoryRebound(to: UInt8.self, capacity: n) {
                        String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self)
                    }
                    if line.hasPrefix("HTTP/") {
                        // A new response (after 100 Continue or a redirect): keep only the final one's fields.
                        sink.headers = HTTPHeaders()
                    } else if let colon = line.firstIndex(of: ":") {
                        let name = line[..<colon].trimmingCharacters(in: .whitespaces)
                        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                        sink.headers.append(name: name, value: value)
                    }
                    return n
                })
                set(ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer))
                set(ccurl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
                set(ccurl_setopt_xferinfo_function(handle) { userdata, _, _, _, _ in
                    let sink = Unmanaged<TransferSink>.fromOpaque(userdata!).takeUnretainedValue()
                    return sink.cancel.isCancelled ? 1 : 0
                })
                set(ccurl_setopt_pointer(handle, CURLOPT_XFERINFODATA, sinkPointer))
                guard rc == CURLE_OK else { return rc }
                return curl_easy_perform(handle)
            }
        }

        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw makeError(code, detail: detail, request: request, parts: parts, timeouts: timeouts, sink: sink)
        }
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }

    private func applyTLS(_ tls: TLSOptions) -> CURLcode {
        var rc = CURLE_OK
        func set(_ result: CURLcode) { if rc == CURLE_OK { rc = result } }
        if tls.insecureSkipVerify {
            set(ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0))
            set(ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0))
        }
        switch tls.certificateAuthority {
        case .file(let path)?: set(ccurl_setopt_string(handle, CURLOPT_CAINFO, path))
        case .data(let pem)?: set(pem.withUnsafeBytes { ccurl_setopt_blob(handle, CURLOPT_CAINFO_BLOB, $0.baseAddress, $0.count) })
        case nil: break
        }
        switch tls.clientCertificate {
        case .file(let path)?: set(ccurl_setopt_string(handle, CURLOPT_SSLCERT, path))
        case .data(let pem)?: set(pem.withUnsafeBytes { ccurl_setopt_blob(handle, CURLOPT_SSLCERT_BLOB, $0.baseAddress, $0.count) })
        case nil: break
        }
        if tls.clientCertificate != nil { set(ccurl_setopt_string(handle, CURLOPT_SSLCERTTYPE, "PEM")) }
        switch tls.clientKey {
        case .file(let path)?: set(ccurl_setopt_string(handle, CURLOPT_SSLKEY, path))
        case .data(let pem)?: set(pem.withUnsafeBytes { ccurl_setopt_blob(handle, CURLOPT_SSLKEY_BLOB, $0.baseAddress, $0.count) })
        case nil: break
        }
        if tls.clientKey != nil { set(ccurl_setopt_string(handle, CURLOPT_SSLKEYTYPE, "PEM")) }
        return rc
    }

    private func makeError(
        _ code: CURLcode, detail: String, request: HTTPRequest, parts: URLParts, timeouts: HTTPTimeouts, sink: TransferSink
    ) -> HTTPClientError {
        let target = parts.hostPort
        let curlCode = Int(code.rawValue)
        func error(_ kind: HTTPClientError.Kind, _ message: String) -> HTTPClientError {
            HTTPClientError(kind, message, curlCode: curlCode)
        }
        switch code {
        case CURLE_ABORTED_BY_CALLBACK:
            return error(.cancelled, "cancelled: \(request)")
        case CURLE_WRITE_ERROR where sink.exceeded:
            return error(.responseTooLarge, "response from \(target) larger than \(sink.maxBytes) bytes (\(request))")
        case CURLE_WRITE_ERROR where sink.cancel.isCancelled:
            return error(.cancelled, "cancelled: \(request)")
        case CURLE_COULDNT_CONNECT:
            var osErrno = 0
            _ = ccurl_getinfo_long(handle, CURLINFO_OS_ERRNO, &osErrno)
            if osErrno == Int(ECONNREFUSED) || detail.localizedCaseInsensitiveContains("refused") {
                return error(.connectionRefused, "connection refused to \(target)")
            }
            return error(.couldNotConnect, "could not connect to \(target): \(Self.reason(detail))")
        case CURLE_COULDNT_RESOLVE_HOST:
            return error(.couldNotResolveHost, "could not resolve host \(parts.host)")
        case CURLE_COULDNT_RESOLVE_PROXY:
            return error(.couldNotResolveHost, "could not resolve the proxy host")
        case CURLE_OPERATION_TIMEDOUT:
            var connectTime = 0.0
            _ = ccurl_getinfo_double(handle, CURLINFO_CONNECT_TIME, &connectTime)
            if connectTime == 0 {
                return error(.timedOut, "connect to \(target) timed out after \(Self.seconds(timeouts.connect)) s")
            }
            return error(.timedOut, "timed out after \(Self.seconds(timeouts.total)) s waiting for \(request)")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_CRL_BADFILE,
             CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_USE_SSL_FAILED,
             CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT:
            return error(.tls, "TLS error with \(target): \(Self.reason(detail))")
        case CURLE_GOT_NOTHING:
            return error(.connectionLost, "\(target) closed the connection without a response (\(request))")
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return error(.connectionLost, "connection to \(target) lost: \(Self.reason(detail))")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_UNKNOWN_OPTION:
            return error(.invalidRequest, "invalid request \(request): \(Self.reason(detail))")
        case CURLE_NOT_BUILT_IN:
            return error(.invalidRequest, "this libcurl lacks a needed feature (in-memory PEM needs libcurl ≥ 7.77)")
        default:
            return error(.other, "\(request) failed: \(Self.reason(detail)) (curl error \(curlCode))")
        }
    }

    private static func reason(_ detail: String) -> String {
        detail.isEmpty ? "no detail from libcurl" : detail
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    static func seconds(_ duration: Duration) -> String {
        let ms = milliseconds(duration)
        return String(format: "%.1f", Double(ms) / 1000)
    }
}
