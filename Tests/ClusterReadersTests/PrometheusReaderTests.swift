import CurlHTTP
import Foundation
import Testing
import TestServers
@testable import ClusterReaders

@Suite struct PrometheusDecodingTests {
    @Test func vector() throws {
        let result = try PrometheusDecoding.decode(try Fixtures.bytes("prometheus/query-vector-node_cpu.prometheus-3961.json"))
        guard case .vector(let series) = result else { Issue.record("expected vector, got \(result)"); return }
        #expect(series.first?.labels["mode"] == "idle")
        #expect(series.first?.sample == PrometheusSample(time: 1521026325.616, value: 438579.55))
        let pending = try PrometheusDecoding.decode(try Fixtures.bytes("meme-generator-results/conflict-jetstream-pending.json"))
        #expect(pending.series.first?.labels["consumer_name"] == "meme-generator")
        #expect(pending.firstValue == 0)
    }

    @Test func scalar() throws {
        let result = try PrometheusDecoding.decode(try Fixtures.bytes("prometheus/query-scalar-1plus1.greptimedb-1642.json"))
        #expect(result == .scalar(PrometheusSample(time: 1685006417.116, value: 2)))
    }

    @Test func matrixWrappedAsSOURCESSays() throws {
        let resultOnly = try Fixtures.bytes("prometheus/query-matrix-up-6h-range-selector.data-result-only.trimmed.prometheus-api-client-python.json")
        let body = Array(#"{"status":"success","data":{"resultType":"matrix","result":"#.utf8) + resultOnly + Array("}}".utf8)
        guard case .matrix(let series) = try PrometheusDecoding.decode(body) else { Issue.record("expected matrix"); return }
        #expect(series.count == 2)
        #expect(series.allSatisfy { $0.samples.count == 10 })
        #expect(series[0].labels["job"] == "Thoth Metrics (stage)")
        #expect(series[0].samples.first == PrometheusSample(time: 1564308009.804, value: 1))
    }

    @Test func badDataErrorsKeepTheServerMessage() throws {
        #expect(throws: ClusterReadError(.query(errorType: "bad_data"),
                                        "Prometheus bad_data: invalid parameter 'query': parse error at char 54: duration must be greater than 0")) {
            try PrometheusDecoding.decode(try Fixtures.bytes("prometheus/error-bad_data-parse-old-format.iter8-analytics-114.json"), httpStatus: 400)
        }
        #expect(throws: ClusterReadError(.query(errorType: "bad_data"), "Prometheus bad_data: cannot parse \"\" to a valid timestamp")) {
            try PrometheusDecoding.decode(try Fixtures.bytes("prometheus/error-bad_data-query_range-missing-start.prometheus-4197.json"), httpStatus: 400)
        }
        #expect(throws: ClusterReadError(.status(code: 502), "Prometheus answered HTTP 502: Bad Gateway")) {
            try PrometheusDecoding.decode(Array("Bad Gateway".utf8), httpStatus: 502)
        }
    }
}

/// A real prometheus. It scrapes a port where nothing listens, so `up` for that job is 0 after the
/// first scrape: a real, labelled series without needing any exporter.
@Suite struct PrometheusLiveTests {
    @Test func upBadQueryAndScalar() async throws {
        let deadPort = try FreePort.next()
        let prometheus = try PrometheusServer(targets: ["nothing-here": ["127.0.0.1:\(deadPort)"]])
        let client = CurlHTTPClient()
        let reader = PrometheusReader(baseURL: prometheus.url, client: client)

        var up: PrometheusResult?
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let result = try await reader.query(#"up{job="nothing-here"}"#)
            if !result.series.isEmpty { up = result; break }
            try await Task.sleep(for: .milliseconds(300))
        }
        let series = try #require(up?.series.first, "no scrape result within 30 s")
        guard case .vector? = up else { Issue.record("expected a vector"); return }
        #expect(series.labels["instance"] == "127.0.0.1:\(deadPort)")
        #expect(series.sample?.value == 0)

        let error = await #expect(throws: ClusterReadError.self) { try await reader.query("sum(rate(up[") }
        #expect(error?.kind == .query(errorType: "bad_data"))
        #expect(error?.message.hasPrefix("Prometheus bad_data: ") == true)

        #expect(try await reader.query("1+1").firstValue == 2)
        let matrix = try await reader.query(#"up{job="nothing-here"}[1m]"#)
        guard case .matrix(let m) = matrix else { Issue.record("expected a matrix, got \(matrix)"); return }
        #expect(!(m.first?.samples.isEmpty ?? true))
        await client.shutdown()
    }

    @Test func unreachablePrometheus() async throws {
        let client = CurlHTTPClient()
        let port = try FreePort.next()
        let reader = PrometheusReader(baseURL: "http://127.0.0.1:\(port)", client: client)
        let error = await #expect(throws: ClusterReadError.self) { try await reader.query("up") }
        #expect(error?.message == "Prometheus: connection refused to 127.0.0.1:\(port)")
        await client.shutdown()
    }
}
