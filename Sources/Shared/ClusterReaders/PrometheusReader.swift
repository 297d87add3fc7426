import CurlHTTP
import Foundation

/// One sample: unix time (seconds, fractional) and value. Prometheus sends values as strings
/// ("NaN", "+Inf" included); they are parsed to Double.
public struct PrometheusSample: Sendable, Equatable {
    public var time: Double
    public var value: Double
}

public struct PrometheusSeries: Sendable, Equatable {
    public var labels: [String: String]
    public var samples: [PrometheusSample]
    /// The single sample of an instant-vector series.
    public var sample: PrometheusSample? { samples.last }
}

/// The `data` of a successful `/api/v1/query` answer.
public enum PrometheusResult: Sendable, Equatable {
    case vector([PrometheusSeries])
    case matrix([PrometheusSeries])
    case scalar(PrometheusSample)
    case string(time: Double, value: String)

    /// Vector/matrix series, or the scalar as one unlabelled series.
    public var series: [PrometheusSeries] {
        switch self {
        case .vector(let s), .matrix(let s): s
        case .scalar(let sample): [PrometheusSeries(labels: [:], samples: [sample])]
        case .string: []
        }
    }

    /// First value (of the first series), handy for single-number queries.
    public var firstValue: Double? { series.first?.sample?.value }
}

/// Pure decoding of Prometheus HTTP API bodies.
public enum PrometheusDecoding {
    struct Envelope: Decodable {
        struct DataBody: Decodable {
            var resultType: String
            var result: ResultValue
        }
        var status: String
        var data: DataBody?
        var errorType: String?
        var error: String?
    }

    enum ResultValue: Decodable {
        case series([RawSeries])
        case pair(RawPair)

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let series = try? c.decode([RawSeries].self) { self = .series(series) } else { self = .pair(try c.decode(RawPair.self)) }
        }
    }

    struct RawSeries: Decodable {
        var metric: [String: String]?
        var value: RawPair?
        var values: [RawPair]?
    }

    /// `[1435781451.781, "1"]`
    struct RawPair: Decodable {
        var time: Double
        var value: String
        init(from decoder: Decoder) throws {
            var c = try decoder.unkeyedContainer()
            time = try c.decode(Double.self)
            value = try c.decode(String.self)
        }
    }

    /// Decodes a `/api/v1/query` (or `query_range`) body. `status: error` bodies throw `.query`.
    public static func decode(_ body: [UInt8], httpStatus: Int = 200) throws(ClusterReadError) -> PrometheusResult {
        let envelope: Envelope
        do { envelope = try JSONDecoder().decode(Envelope.self, from: Data(body)) } catch {
            if !(200..<300).contains(httpStatus) {
                throw ClusterReadError(.status(code: httpStatus), "Prometheus answered HTTP \(httpStatus): \(String(decoding: body.prefix(200), as: UTF8.self))")
            }
            throw ClusterReadError(.decoding, "cannot decode Prometheus answer: \(KubernetesDecoding.describe(error))")
        }
        guard envelope.status == "success" else {
            let type = envelope.errorType ?? "unknown"
            throw ClusterReadError(.query(errorType: type), "Prometheus \(type): \(envelope.error ?? "no message")")
        }
        guard let data = envelope.data else { throw ClusterReadError(.decoding, "Prometheus answer has no data") }
        func sample(_ p: RawPair) -> PrometheusSample { PrometheusSample(time: p.time, value: parseValue(p.value)) }
        switch (data.resultType, data.result) {
        case ("vector", .series(let s)):
            return .vector(s.map { PrometheusSeries(labels: $0.metric ?? [:], samples: $0.value.map { [sample($0)] } ?? []) })
        case ("matrix", .series(let s)):
            return .matrix(s.map { PrometheusSeries(labels: $0.metric ?? [:], samples: ($0.values ?? []).map(sample)) })
        case ("scalar", .pair(let p)):
            return .scalar(sample(p))
        case ("string", .pair(let p)):
            return .string(time: p.time, value: p.value)
        default:
            throw ClusterReadError(.decoding, "unexpected Prometheus resultType \(data.resultType)")
        }
    }

    static func parseValue(_ text: String) -> Double {
        switch text {
        case "+Inf", "Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text) ?? .nan
        }
    }
}

/// Instant queries against a Prometheus server's HTTP API.
public struct PrometheusReader: Sendable {
    /// `http://127.0.0.1:9090` (no trailing slash needed).
    public let baseURL: String
    private let client: CurlHTTPClient
    private let timeouts: HTTPTimeouts

    public init(baseURL: String, client: CurlHTTPClient, timeouts: HTTPTimeouts = HTTPTimeouts(connect: .seconds(2), total: .seconds(5))) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
        self.timeouts = timeouts
    }

    /// `GET /api/v1/query?query=…[&time=…]`.
    public func query(_ promQL: String, time: Double? = nil) async throws(ClusterReadError) -> PrometheusResult {
        var url = "\(baseURL)/api/v1/query?query=\(Self.percentEncode(promQL))"
        if let time { url += "&time=\(time)" }
        let response: HTTPResponse
        do { response = try await client.send(HTTPRequest(url: url, headers: [("Accept", "application/json")], timeouts: timeouts)) } catch {
            throw ClusterReadError(.transport(error.kind), "Prometheus: \(error.message)")
        }
        return try PrometheusDecoding.decode(response.body, httpStatus: response.status)
    }

    static func percentEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
