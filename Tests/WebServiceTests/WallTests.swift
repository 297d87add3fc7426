import Foundation
import Hummingbird
import HummingbirdTesting
import QRCode
import Testing
@testable import WebService

/// The address the wall shows the room, and its QR code.
@Suite struct WallTests {
    @Test func publicURLWinsAndIsShownWithoutTheScheme() throws {
        let wall = try WallAddress.resolve(publicURL: "https://memes.example.org/", host: "0.0.0.0", port: 8080, interfaces: ["192.168.1.20"])
        #expect(wall == WallAddress(url: "https://memes.example.org/", display: "memes.example.org", source: .publicURL))
        let withPort = try WallAddress.resolve(publicURL: "http://10.1.2.3:9000/memes", host: "0.0.0.0", port: 8080, interfaces: [])
        #expect(withPort.display == "10.1.2.3:9000/memes" && withPort.url == "http://10.1.2.3:9000/memes")
    }

    @Test func aBadPublicURLNamesTheVariable() {
        for bad in ["memes.example.org", "ftp://x.org", "http://", "https://a b.org"] {
            #expect(throws: WebServiceError.self, "\(bad)") {
                try WallAddress.resolve(publicURL: bad, host: "0.0.0.0", port: 8080, interfaces: [])
            }
            do { _ = try WallAddress.resolve(publicURL: bad, host: "0.0.0.0", port: 8080, interfaces: []) } catch {
                #expect("\(error)".hasPrefix("PUBLIC_URL '\(bad)' must be an http:// or https:// URL with a host"), "\(error)")
            }
        }
    }

    @Test func otherwiseTheFirstLANAddressWithThePort() throws {
        let interfaces = ["127.0.0.1", "fe80::1%eth0", "169.254.3.4", "192.168.178.20", "10.0.0.5"]
        #expect(try WallAddress.resolve(publicURL: nil, host: "0.0.0.0", port: 8080, interfaces: interfaces)
                == WallAddress(url: "http://192.168.178.20:8080/", display: "192.168.178.20:8080", source: .lan))
        #expect(try WallAddress.resolve(publicURL: "", host: "::", port: 80, interfaces: interfaces).display == "192.168.178.20")
        // Listening on one address: that one.
        #expect(try WallAddress.resolve(publicURL: nil, host: "10.0.0.5", port: 8080, interfaces: interfaces).source == .listenAddress)
        // Listening on loopback only: no phone can reach it, and the wall says so honestly.
        #expect(try WallAddress.resolve(publicURL: nil, host: "127.0.0.1", port: 8080, interfaces: interfaces).source == .loopback)
        // Nothing but loopback: say so (meme-web logs a warning).
        #expect(try WallAddress.resolve(publicURL: nil, host: "0.0.0.0", port: 8080, interfaces: ["127.0.0.1", "::1"])
                == WallAddress(url: "http://127.0.0.1:8080/", display: "127.0.0.1:8080", source: .loopback))
    }

    @Test func theWallAPIServesTheAddressAndAQRCodeUnderTheCSP() async throws {
        let app = try Fixtures.app(queue: RecordingQueue()) { $0.publicURL = "http://192.168.178.20:8080/" }.buildApplication()
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/wall", method: .get) { response in
                #expect(response.status == .ok)
                let json = RouterTests.json(response)
                #expect(json["url"] as? String == "http://192.168.178.20:8080/")
                #expect(json["display"] as? String == "192.168.178.20:8080")
                #expect(json["source"] as? String == "public_url")
            }
            let etag = try await client.execute(uri: "/api/wall/qr.svg", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/svg+xml")
                #expect(response.headers[.contentSecurityPolicy] == SecurityHeadersMiddleware.contentSecurityPolicy)
                let svg = String(buffer: response.body)
                #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 37 37\""), "version 3: 29 modules + 2 × 4 quiet zone")
                #expect(!svg.contains("style") && !svg.contains("<script"))
                // The top-left finder pattern's first row: 7 dark modules from the quiet zone's edge.
                #expect(svg.contains("M4 4h7v1h-7z"), "\(svg.prefix(300))")
                return try #require(response.headers[.eTag])
            }
            try await client.execute(uri: "/api/wall/qr.svg", method: .get, headers: [.ifNoneMatch: etag]) { #expect($0.status == .notModified) }
        }
    }

    @Test func theSVGHasOneRectanglePerRunOfDarkModules() throws {
        let code = try QRCode(encoding: "http://10.0.0.5:8080/")
        let svg = QRSVG.render(code)
        var dark = 0, runs = 0
        for y in 0..<code.size {
            var previous = false
            for x in 0..<code.size {
                if code[x, y] { dark += 1; if !previous { runs += 1 } }
                previous = code[x, y]
            }
        }
        #expect(svg.components(separatedBy: "z").count - 1 == runs)
        let widths = svg.matches(of: /h(\d+)v1/).map { Int($0.output.1)! }
        #expect(widths.reduce(0, +) == dark)
    }
}
