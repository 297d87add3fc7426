import Foundation
import Testing
@testable import ConsoleUI

@Suite("Snapshot JSON (meme-console --once --json)")
struct SnapshotCodingTests {
    private func json(_ s: ConsoleSnapshot) throws -> [String: Any] {
        let data = try JSONEncoder().encode(s)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func roundTrips() throws {
        for s in [Samples.busy, Samples.allDown, Samples.local, Samples.wide, Samples.localCooldown, Samples.capped] {
            let data = try JSONEncoder().encode(s)
            #expect(try JSONDecoder().decode(ConsoleSnapshot.self, from: data) == s)
        }
    }

    @Test func usesTheContractKeys() throws {
        let o = try json(Samples.busy)
        #expect(Set(o.keys) == ["sources", "mode", "workloads", "queue", "autoscalers", "throughput", "answers", "load",
                                "recent", "events", "paused", "notice", "warnings"])
        let sources = try #require(o["sources"] as? [String: [String: Any]])
        #expect(Set(sources.keys) == ["nats", "prometheus", "kubernetes"])
        #expect(sources["prometheus"]?["state"] as? String == "stale")
        #expect(sources["prometheus"]?["age_s"] as? Double == 12)
        let queue = try #require(o["queue"] as? [String: Any])
        #expect(Set(queue.keys) == ["stream", "consumer", "pending", "ack_pending", "redelivered", "lag", "lag_threshold", "age_s"])
        let a = try #require(o["autoscalers"] as? [String: [[String: Any]]])
        let hpa = try #require(a["hpa"]?.first)
        #expect(Set(hpa.keys) == ["name", "target_ref", "min", "max", "current", "desired", "metrics", "conditions",
                                  "last_scale_time"])
        let metric = try #require((hpa["metrics"] as? [[String: Any]])?.first)
        #expect(Set(metric.keys) == ["name", "current", "target", "kind", "replicas", "explanation"])
        let keda = try #require(a["keda"]?.first)
        #expect(Set(keda.keys) == ["name", "target_ref", "active", "trigger", "lag", "lag_threshold", "activation_threshold",
                                   "min", "max", "desired", "fallback", "cooldown_period_s", "scale_to_zero_in_s", "source",
                                   "age_s", "explanation", "countdown"])
        #expect(keda["scale_to_zero_in_s"] is NSNull, "unknown or not counting down: null")
        #expect(keda["countdown"] is NSNull, "nothing pending: null")
        #expect((o["warnings"] as? [Any])?.isEmpty == true, "no conflict: an empty list, not left out")
        let answers = try #require(o["answers"] as? [String: Any])
        #expect(Set(answers.keys) == ["window_s", "answered", "errors", "per_s", "errors_per_s", "p50_s", "p95_s"])
        let container = try #require((a["vpa"]?.first?["containers"] as? [[String: Any]])?.first)
        #expect(Set(container.keys) == ["name", "target", "lower_bound", "upper_bound", "uncapped_target", "requests",
                                        "verdict"])
        let target = try #require(container["target"] as? [String: Any])
        #expect(target["cpu_millicores"] as? Int == 120)
        #expect(target["memory_bytes"] as? Int == 268_435_456)
        let t = try #require(o["throughput"] as? [String: Any])
        #expect(Set(t.keys) == ["completed_per_s", "errors_per_s", "p50_s", "p95_s", "submitted_per_s"])
        let load = try #require(o["load"] as? [String: Any])
        #expect(Set(load.keys) == ["sent", "acked", "answered", "errors", "in_flight", "p50_ms", "p95_ms",
                                   "sustained_rate", "burst_size"])
        let recent = try #require((o["recent"] as? [[String: Any]])?.first)
        #expect(Set(recent.keys) == ["id", "prompt", "latency_ms", "ok"])
        let event = try #require((o["events"] as? [[String: Any]])?.first)
        #expect(Set(event.keys) == ["time", "kind", "message"])
    }

    @Test func localModeHasTheStandInSource() throws {
        let o = try json(Samples.localCooldown)
        let sources = try #require(o["sources"] as? [String: [String: Any]])
        #expect(Set(sources.keys) == ["nats", "stand_in", "prometheus", "kubernetes"])
        let keda = try #require((o["autoscalers"] as? [String: [[String: Any]]])?["keda"]?.first)
        #expect(keda["scale_to_zero_in_s"] as? Double == 27 && keda["source"] as? String == "stand-in" && keda["age_s"] as? Double == 0.4)
    }

    @Test func unknownSectionsAreOmitted() throws {
        let o = try json(Samples.allDown)
        #expect(o["workloads"] == nil && o["queue"] == nil && o["autoscalers"] == nil && o["throughput"] == nil)
        let sources = try #require(o["sources"] as? [String: [String: Any]])
        #expect(sources["kubernetes"]?["error"] as? String == "RBAC: cannot list hpa")
        #expect(sources["nats"]?["age_s"] == nil)
    }

    @Test func decodesAHandWrittenDocument() throws {
        let text = """
            {"sources":{"nats":{"state":"ok","age_s":0.5},"prometheus":{"state":"down","error":"no route","age_s":40},
             "kubernetes":{"state":"disabled"}},
             "mode":"local","workloads":[{"name":"worker","kind":"Process","replicas":2,"ready":2,"desired":3}],
             "queue":{"stream":"MEMES","consumer":"meme-generator","pending":7,"ack_pending":1,"redelivered":0,"lag":8},
             "load":{"sent":1,"acked":1,"answered":0,"errors":0,"in_flight":1,"burst_size":50},
             "recent":[],"events":[],"paused":false}
            """
        let s = try JSONDecoder().decode(ConsoleSnapshot.self, from: Data(text.utf8))
        #expect(s.mode == .local)
        #expect(s.sources.prometheus.error == "no route")
        #expect(s.queue?.lagThreshold == nil)
        #expect(s.workloads?.first?.history == nil)
        #expect(s.throughput == nil && s.notice == nil)
        #expect(s.natsCluster == nil)  // recordings made before issue 15 have no nats_cluster
    }

    @Test func natsClusterKeys() throws {
        let o = try json(Samples.localNATSCluster)
        let cluster = try #require(o["nats_cluster"] as? [String: Any])
        #expect(Set(cluster.keys) == ["name", "meta_leader", "servers"])
        let servers = try #require(cluster["servers"] as? [[String: Any]])
        #expect(servers.map { $0["name"] as? String } == ["n-1", "n-2", "n-3"])
        #expect(Set(servers[0].keys) == ["name", "url", "up", "error", "stream_leader", "consumer_leader", "stream", "consumer"])
        #expect(servers[0]["up"] as? Bool == false && servers[2]["stream_leader"] as? Bool == true)
        let replica = try #require(servers[0]["stream"] as? [String: Any])
        #expect(Set(replica.keys) == ["current", "lag", "active_s"] && replica["lag"] as? Int == 10)
        #expect(try JSONDecoder().decode(ConsoleSnapshot.self, from: JSONEncoder().encode(Samples.localNATSCluster)) == Samples.localNATSCluster)
        #expect(try json(Samples.localStandIns)["nats_cluster"] == nil)
    }

    @Test func rejectsAnUnknownState() {
        let text = #"{"state":"sleepy"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SourceStatus.self, from: Data(text.utf8)) }
    }
}
