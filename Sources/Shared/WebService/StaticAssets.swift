import Foundation
import HTTPTypes
import Hummingbird

/// The page's files, read once at start-up and served from memory: a handful of small files,
/// so no per-request disk access. Each has its MIME type, a content-hash ETag and a cache policy.
public struct StaticAssets: Sendable {
    public struct Asset: Sendable {
        public let body: ByteBuffer
        public let contentType: String
        public let etag: String
        public let cacheControl: String
    }

    /// Keyed by URL path ("/", "/wall", "/assets/app.js").
    let assets: [String: Asset]

    public var paths: [String] { assets.keys.sorted() }

    public init(assets: [String: Asset]) { self.assets = assets }

    /// Loads `directory`: `index.html` → `/`, `wall.html` → `/wall`, everything under `assets/` →
    /// `/assets/<name>`. Throws when the directory or `index.html` is missing.
    public static func load(directory: String) throws -> StaticAssets {
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
            throw WebServiceError("public directory '\(directory)' does not exist")
        }
        var assets: [String: Asset] = [:]
        func add(_ file: URL, as path: String) throws {
            let data = try Data(contentsOf: file)
            let ext = file.pathExtension.lowercased()
            // HTML revalidates on every load (it names the other files); the rest may be reused briefly.
            let cache = ext == "html" ? "no-cache" : "public, max-age=300"
            assets[path] = Asset(
                body: ByteBuffer(bytes: data), contentType: mimeType(forExtension: ext),
                etag: "\"\(fnv1a64(data))\"", cacheControl: cache)
        }
        let index = root.appendingPathComponent("index.html")
        guard fm.fileExists(atPath: index.path) else {
            throw WebServiceError("public directory '\(directory)' has no index.html")
        }
        try add(index, as: "/")
        let wall = root.appendingPathComponent("wall.html")
        if fm.fileExists(atPath: wall.path) { try add(wall, as: "/wall") }
        let assetDir = root.appendingPathComponent("assets")
        if let names = try? fm.contentsOfDirectory(atPath: assetDir.path) {
            for name in names where !name.hasPrefix(".") {
                let file = assetDir.appendingPathComponent(name)
                var sub: ObjCBool = false
                if fm.fileExists(atPath: file.path, isDirectory: &sub), !sub.boolValue {
                    try add(file, as: "/assets/\(name)")
                }
            }
        }
        return StaticAssets(assets: assets)
    }

    public func asset(for path: String) -> Asset? { assets[path] }

    /// What GET (or HEAD) of one file answers: the router's page routes and the event-loop fast
    /// path (StaticFastPath) both build their responses here, so they cannot drift apart.
    public struct Reply: Sendable {
        public var status: HTTPResponse.Status
        /// Content type, ETag and cache policy (and Content-Length on a 200); the security headers
        /// are added by the caller (SecurityHeadersMiddleware or the fast path).
        public var headers: HTTPFields
        /// nil for 304 and HEAD.
        public var body: ByteBuffer?
    }

    /// The reply for `path`, revalidated against If-None-Match; nil when there is no such file.
    public func reply(path: String, ifNoneMatch: String?, head: Bool) -> Reply? {
        guard let asset = assets[path] else { return nil }
        var headers: HTTPFields = [.contentType: asset.contentType, .eTag: asset.etag, .cacheControl: asset.cacheControl]
        if let ifNoneMatch, ifNoneMatch.split(separator: ",").contains(where: {
            $0.trimmingCharacters(in: .whitespaces) == asset.etag
        }) {
            return Reply(status: .notModified, headers: headers, body: nil)
        }
        headers[.contentLength] = String(asset.body.readableBytes)
        return Reply(status: .ok, headers: headers, body: head ? nil : asset.body)
    }

    static func mimeType(forExtension ext: String) -> String {
        switch ext {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "json": "application/json"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "ico": "image/x-icon"
        case "webmanifest": "application/manifest+json"
        case "txt": "text/plain; charset=utf-8"
        case "woff2": "font/woff2"
        default: "application/octet-stream"
        }
    }

    static func fnv1a64(_ data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

/// A configuration or start-up problem, with a message naming what is wrong.
public struct WebServiceError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
