import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
@testable import WebService

/// meme-web behind meme-stack's web port (WEB_PROXY_PROTOCOL): the PROXY line becomes the request's
/// X-Forwarded-For, and nothing a client wrote itself survives.
@Suite struct ProxyProtocolHandlerTests {
    func channel() throws -> EmbeddedChannel {
        let address = ProxiedAddress()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ProxyProtocolDecoder(address: address))
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder()))
        try channel.pipeline.syncOperations.addHandler(ForwardedForFromProxy(address: address))
        return channel
    }

    func head(_ channel: EmbeddedChannel) throws -> HTTPRequestHead? {
        while let part = try channel.readInbound(as: HTTPServerRequestPart.self) {
            if case .head(let head) = part { return head }
        }
        return nil
    }

    @Test func theProxyLineNamesTheClientEvenWhenSplit() throws {
        let c = try channel()
        try c.writeInbound(ByteBuffer(string: "PROXY TCP4 10.1.2.3 127.0.0"))
        try c.writeInbound(ByteBuffer(string: ".1 5000 8080\r\nGET /api/memes HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n"))
        let first = try #require(try self.head(c))
        #expect(first.uri == "/api/memes")
        #expect(first.headers["X-Forwarded-For"] == ["10.1.2.3"])
        // The next request on the same connection is from the same client.
        try c.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(try self.head(c)?.headers["X-Forwarded-For"] == ["10.1.2.3"])
    }

    @Test func withoutALineAClientsOwnForwardedForIsDropped() throws {
        let c = try channel()
        try c.writeInbound(ByteBuffer(string: "GET /readyz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n"))
        let first = try #require(try self.head(c))
        #expect(first.uri == "/readyz" && first.headers["X-Forwarded-For"].isEmpty)
    }

    @Test func aMalformedLineClosesTheConnection() throws {
        let c = try channel()
        try c.writeInbound(ByteBuffer(string: "PROXY TCP4 nonsense\r\nGET / HTTP/1.1\r\n\r\n"))
        #expect(!c.isActive)
    }

    @Test func theResolvedClientIsTheLinesAddress() {
        // meme-stack trusts 127.0.0.1 (WEB_TRUSTED_PROXIES), the proxy's address.
        let trusted = try! TrustedProxies(parsing: "127.0.0.1")
        #expect(ClientAddress.resolve(forwardedFor: "10.1.2.3", peer: "127.0.0.1", trustedProxies: trusted) == "10.1.2.3")
    }
}
