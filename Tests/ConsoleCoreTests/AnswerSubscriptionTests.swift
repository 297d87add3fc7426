import ConsoleUI
import Foundation
import NATS
import TestServers
import Testing
@testable import ConsoleCore

/// The console's one connection carries one subscription per answer subject; that subscription
/// feeds both the recent-answers list and the load engine's ledger.
struct AnswerSubscriptionTests {
    private struct Connz: Decodable {
        struct Connection: Decodable {
            var name: String?
            var subscriptionsList: [String]?
            enum CodingKeys: String, CodingKey { case name, subscriptionsList = "subscriptions_list" }
        }
        var connections: [Connection]
    }

    private struct Request: Decodable { var id: String; var prompt: String }

    @Test func oneSubscriptionFeedsRecentAnswersAndTheLoadLedger() async throws {
        let server = try NATSServer()
        defer { server.stop() }
        // Nothing listens on these: only NATS matters here.
        let settings = ConsoleSettings(natsURL: server.url, prometheusURL: "http://127.0.0.1:9", interval: 0.2,
                                       localScalerURL: "http://127.0.0.1:9")
        let engine = ConsoleEngine(settings: settings, mode: .local, kubernetes: nil)
        let worker = try await NATSConnection.connect(NATSOptions(servers: [server.url], name: "fake-worker"))
        do {
            let requests = try await worker.subscribe(settings.requestSubject)
            try await worker.flush()
            engine.start()

            // The load engine starts once NATS is up; until then a submit is refused.
            let deadline = ContinuousClock.now + .seconds(15)
            while !engine.perform(.submit(count: 1)) {
                guard ContinuousClock.now < deadline else { Issue.record("load engine never ready"); break }
                try await Task.sleep(for: .milliseconds(50))
            }
            var incoming = requests.makeAsyncIterator()
            let message = try #require(try await incoming.next())
            let request = try JSONDecoder().decode(Request.self, from: Data(message.bytes))
            let answer = #"{"request_id":"\#(request.id)","prompt":"\#(request.prompt)","submitted_at":\#(Date().timeIntervalSince1970)}"#
            try await worker.publish(settings.responseSubject, payload: answer)
            try await worker.flush()

            while engine.snapshot(ui: UIState()).load.answered < 1 || !engine.nats.recent.contains(where: { $0.id == request.id }) {
                guard ContinuousClock.now < deadline else { Issue.record("answer not seen by both: \(engine.snapshot(ui: UIState()).load)"); break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(engine.snapshot(ui: UIState()).load.answered == 1)
            #expect(engine.nats.recent.map(\.id) == [request.id])

            let connz = try #require(HTTPProbe.get(port: server.monitorPort, path: "/connz?subs=1"))
            let console = try JSONDecoder().decode(Connz.self, from: Data(connz.body.utf8)).connections.filter { $0.name == "meme-console" }
            #expect(console.count == 1)
            let subjects = console.first?.subscriptionsList ?? []
            #expect(subjects.filter { $0 == settings.responseSubject }.count == 1, "\(subjects)")
            #expect(subjects.filter { $0 == settings.responseSubject + ".error" }.count == 1, "\(subjects)")
        } catch {
            Issue.record(error)
        }
        await engine.shutdown()
        await worker.close()
    }
}
