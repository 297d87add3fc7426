import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import WebService

/// Who shares a rate limit on POST /api/memes: a browser (X-Meme-Client) within its address, an
/// address as a whole (a room behind one NAT), and everyone. Router tests have no socket, so the
/// address comes from X-Forwarded-For with a trusted proxy.
@Suite struct SubmitLimitTests {
    static let prompt = ByteBuffer(string: #"{"prompt":"x"}"#)

    /// Refills are slow (0.01/s), so a busy machine cannot earn a token back between requests.
    static func app(client: Int, address: Int, everyone: Int = 1000) throws -> some ApplicationProtocol {
        try Fixtures.app(queue: RecordingQueue()) {
            $0.trustProxy = true
            $0.rateLimit = 0.01
            $0.rateBurst = client
            $0.addressRateLimit = 0.01
            $0.addressRateBurst = address
            $0.globalRateLimit = 0.01
            $0.globalRateBurst = everyone
        }.buildApplication()
    }

    static func post(_ client: some TestClientProtocol, from address: String, browser: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.xForwardedFor: address, .contentType: "application/json"]
        if let browser { headers[.memeClient] = browser }
        return try await client.execute(uri: "/api/memes", method: .post, headers: headers, body: prompt)
    }

    @Test func browsersBehindOneAddressEachGetTheirOwnLimit() async throws {
        try await Self.app(client: 2, address: 100).test(.router) { client in
            // Three phones on the venue's Wi-Fi, one public address.
            for phone in ["phone-aaaa-1", "phone-bbbb-2", "phone-cccc-3"] {
                for _ in 0..<2 { #expect(try await Self.post(client, from: "203.0.113.50", browser: phone).status == .accepted) }
                let third = try await Self.post(client, from: "203.0.113.50", browser: phone)
                #expect(third.status == .tooManyRequests)
                #expect(RouterTests.error(third).hasPrefix("too many requests from this browser"), "\(RouterTests.error(third))")
                #expect(Int(third.headers[.retryAfter] ?? "") ?? 0 >= 1)
            }
            // Without an id the address is the client: its own bucket, not the phones'.
            for _ in 0..<2 { #expect(try await Self.post(client, from: "203.0.113.50").status == .accepted) }
            #expect(try await Self.post(client, from: "203.0.113.50").status == .tooManyRequests)
            // The same id from another address is another client.
            #expect(try await Self.post(client, from: "198.51.100.1", browser: "phone-aaaa-1").status == .accepted)
        }
    }

    @Test func theAddressLimitCoversEveryBrowserBehindIt() async throws {
        try await Self.app(client: 5, address: 4).test(.router) { client in
            for i in 0..<4 { #expect(try await Self.post(client, from: "203.0.113.60", browser: "browser-\(i)-xyz").status == .accepted) }
            let refused = try await Self.post(client, from: "203.0.113.60", browser: "browser-new-xyz")
            #expect(refused.status == .tooManyRequests)
            #expect(RouterTests.error(refused).hasPrefix("too many requests from your network"), "\(RouterTests.error(refused))")
            #expect((90...100).contains(Int(refused.headers[.retryAfter] ?? "") ?? 0), "\(refused.headers[.retryAfter] ?? "none")")
            // Another address is not affected.
            #expect(try await Self.post(client, from: "203.0.113.61", browser: "browser-new-xyz").status == .accepted)
        }
    }

    @Test func theGlobalLimitProtectsTheQueueAndRefundsTheOtherLayers() async throws {
        try await Self.app(client: 1, address: 1, everyone: 3).test(.router) { client in
            for i in 1...3 { #expect(try await Self.post(client, from: "192.0.2.\(i)").status == .accepted) }
            let refused = try await Self.post(client, from: "192.0.2.9")
            #expect(refused.status == .tooManyRequests)
            #expect(RouterTests.error(refused).hasPrefix("meme-web is at its limit for all requests"), "\(RouterTests.error(refused))")
            #expect(refused.headers[.retryAfter] != nil)
        }
        // Pure: a refusal by the global layer gives the client and address tokens back.
        let limiter = SubmitLimiter(client: RateLimit(rate: 0.01, burst: 1), address: RateLimit(rate: 0.01, burst: 1),
                                    everyone: RateLimit(rate: 0.01, burst: 1))
        #expect(limiter.check(address: "a", browserID: nil, now: 0) == .allowed)
        #expect(limiter.check(address: "b", browserID: nil, now: 0) == .limited(retryAfter: 100, scope: .everyone))
        #expect(limiter.perClient.check(client: "b", now: 0) == .allowed, "b's client token was refunded")
        #expect(limiter.perAddress.check(client: "b", now: 0) == .allowed, "b's address token was refunded")
    }

    @Test func aMalformedBrowserIDIsABadRequest() async throws {
        try await Self.app(client: 5, address: 5).test(.router) { client in
            for bad in ["short", String(repeating: "x", count: 65), "has space in it", "semi;colon-id"] {
                let response = try await Self.post(client, from: "192.0.2.1", browser: bad)
                #expect(response.status == .badRequest, "\(bad)")
                #expect(RouterTests.error(response) == "header X-Meme-Client must be 8 to 64 letters, digits, '-' or '_'")
            }
        }
    }

    @Test func forwardedForCountsOnlyFromTrustedProxies() throws {
        let proxies = try TrustedProxies(parsing: "10.0.0.0/8, 192.168.1.5, fd00::1")
        #expect(proxies.contains("10.1.2.3") && proxies.contains("192.168.1.5") && proxies.contains("::ffff:10.9.9.9") && proxies.contains("fd00::1"))
        #expect(!proxies.contains("192.168.1.6") && !proxies.contains("11.0.0.1"))
        // From a trusted proxy: the rightmost hop that is not one of ours (the client may have written the rest).
        #expect(ClientAddress.resolve(forwardedFor: "6.6.6.6, 203.0.113.9, 10.0.0.7", peer: "10.0.0.1", trustedProxies: proxies) == "203.0.113.9")
        // From anyone else the header is ignored.
        #expect(ClientAddress.resolve(forwardedFor: "203.0.113.9", peer: "198.51.100.4", trustedProxies: proxies) == "198.51.100.4")
        // Only proxies in the header: the leftmost.
        #expect(ClientAddress.resolve(forwardedFor: "10.0.0.9", peer: "10.0.0.1", trustedProxies: proxies) == "10.0.0.9")
        // The original WEB_TRUSTED_PROXY=1: first hop from any peer.
        #expect(ClientAddress.resolve(forwardedFor: "203.0.113.9, 10.0.0.1", peer: "10.0.0.1", trustProxy: true) == "203.0.113.9")
        for (bad, message) in [("10.0.0.0/33", "WEB_TRUSTED_PROXIES: '10.0.0.0/33' has a prefix length that is not 0…32"),
                               ("proxy.local", "WEB_TRUSTED_PROXIES: 'proxy.local' is not an IPv4 address, IPv4 CIDR range or IPv6 address"),
                               ("300.1.1.1", "WEB_TRUSTED_PROXIES: '300.1.1.1' is not an IPv4 address, IPv4 CIDR range or IPv6 address")] {
            #expect(throws: WebServiceError.self) { try TrustedProxies(parsing: bad) }
            do { _ = try TrustedProxies(parsing: bad) } catch { #expect("\(error)" == message) }
        }
    }
}
