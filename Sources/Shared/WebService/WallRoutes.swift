import Foundation
import HTTPTypes
import Hummingbird
import QRCode

/// `GET /api/wall`: the address the wall tells the room to open; `GET /api/wall/qr.svg`: its QR code.
/// Both are made once at start (the address does not change while meme-web runs).
struct WallRoutes {
    let wall: WallAddress

    func register(on router: Router<WebRequestContext>) {
        let info = WallInfo(url: wall.url, display: wall.display, source: wall.source)
        router.get("/api/wall") { _, _ in JSONBody.response(.ok, info) }
        let svg: ByteBuffer
        do {
            svg = ByteBuffer(string: QRSVG.render(try QRCode(encoding: wall.url)))
        } catch {
            // resolve() bounds the URL's length, so this would be a bug; the wall then shows the address only.
            svg = ByteBuffer(string: "")
        }
        // FNV-1a of the URL: the same tag from every replica and every run.
        let hash = wall.url.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        let etag = "\"qr-\(String(hash, radix: 16))\""
        router.get("/api/wall/qr.svg") { request, _ -> Response in
            guard svg.readableBytes > 0 else { throw APIError(.internalServerError, "no QR code for \(wall.url)") }
            var headers: HTTPFields = [.contentType: "image/svg+xml", .eTag: etag, .cacheControl: "no-cache"]
            if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: headers) }
            headers[.contentLength] = String(svg.readableBytes)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: svg))
        }
    }
}

struct WallInfo: Encodable, Sendable {
    let url: String
    let display: String
    let source: WallAddress.Source
}

/// A QR code as SVG: one path of unit squares on a white square with the 4-module quiet zone the
/// standard asks for. Attributes only (no style element), so the page's CSP needs no exception.
enum QRSVG {
    static let quietZone = 4

    static func render(_ code: QRCode) -> String {
        let side = code.size + 2 * quietZone
        var path = ""
        path.reserveCapacity(code.size * code.size * 4)
        for y in 0..<code.size {
            var x = 0
            while x < code.size {
                guard code[x, y] else { x += 1; continue }
                // Runs of dark modules on a row become one rectangle: a smaller file.
                var run = 1
                while x + run < code.size && code[x + run, y] { run += 1 }
                path += "M\(x + quietZone) \(y + quietZone)h\(run)v1h-\(run)z"
                x += run
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges" \
            role="img" aria-label="QR code"><rect width="\(side)" height="\(side)" fill="#fff"/>\
            <path fill="#000" d="\(path)"/></svg>

            """
    }
}
