import Foundation
import MemeKit
import Testing
@testable import ConsoleRecording

@Suite("Snapshot patches")
struct SnapshotPatchTests {
    func json(_ text: String) throws -> JSONValue { try JSONValue(parsing: Data(text.utf8)).canonical }

    func roundTrip(_ a: String, _ b: String) throws -> JSONValue? {
        let (old, new) = (try json(a), try json(b))
        let patch = SnapshotPatch.diff(old, new)
        // What is written is text: the patch must survive it.
        let reread = try patch.map { try JSONValue(parsing: Data($0.text.utf8)) }
        #expect(try reread.map { try SnapshotPatch.apply($0, to: old) } ?? old == new)
        return patch
    }

    @Test func equalValuesGiveNoPatch() throws {
        #expect(try roundTrip(#"{"a":1,"b":[1,2]}"#, #"{"b":[1,2],"a":1}"#) == nil)
    }

    @Test func changedMembersOnly() throws {
        let patch = try roundTrip(#"{"queue":{"lag":3,"age_s":0.2,"stream":"MEMES"},"mode":"local"}"#,
                                  #"{"queue":{"lag":4,"age_s":0.3,"stream":"MEMES"},"mode":"local"}"#)
        #expect(patch?.text == #"{"queue":{"age_s":0.3,"lag":4}}"#)
    }

    @Test func removedMemberIsNullAndAddedIsWhole() throws {
        let patch = try roundTrip(#"{"notice":"burst of 50 sent","load":{"sent":0}}"#, #"{"load":{"sent":50,"p50_ms":12.5}}"#)
        #expect(patch?.text == #"{"load":{"p50_ms":12.5,"sent":50},"notice":null}"#)
    }

    @Test func nullMembersAreTheSameAsMissing() throws {
        // KEDA's nulls are written explicitly live; the recording keeps neither (both decode as nil).
        #expect(try roundTrip(#"{"lag":null,"min":0}"#, #"{"min":0}"#) == nil)
    }

    @Test func slidingWindowDropsAndAppends() throws {
        let old = "[" + (0..<120).map { String($0 % 7) }.joined(separator: ",") + "]"
        let new = "[" + (1..<121).map { String($0 % 7) }.joined(separator: ",") + "]"
        let patch = try roundTrip(#"{"h":\#(old)}"#, #"{"h":\#(new)}"#)
        #expect(patch?.text == #"{"h":{"+":[1],"-":1}}"#)
    }

    @Test func appendedEventsAreSentAlone() throws {
        let patch = try roundTrip(#"{"events":[{"kind":"keda","message":"worker 0 → 1"}]}"#,
                                  #"{"events":[{"kind":"keda","message":"worker 0 → 1"},{"kind":"keda","message":"worker 1 → 5"}]}"#)
        #expect(patch?.text == #"{"events":{"+":[{"kind":"keda","message":"worker 1 → 5"}]}}"#)
    }

    @Test func sameLengthArraysPatchInPlace() throws {
        let patch = try roundTrip(#"{"workloads":[{"name":"web","replicas":2,"history":[1,2]},{"name":"worker","replicas":3}]}"#,
                                  #"{"workloads":[{"name":"web","replicas":2,"history":[1,2]},{"name":"worker","replicas":5}]}"#)
        #expect(patch?.text == #"{"workloads":{"1":{"replicas":5}}}"#)
    }

    @Test func typeChangesReplace() throws {
        _ = try roundTrip(#"{"a":[1,2,3]}"#, #"{"a":{"x":1}}"#)
        _ = try roundTrip(#"{"a":{"x":1}}"#, #"{"a":[1]}"#)
        _ = try roundTrip(#"{"a":"text"}"#, #"{"a":{"x":{"y":[1]}}}"#)
        _ = try roundTrip(#"{"a":[1,2]}"#, #"{"a":[]}"#)
        _ = try roundTrip(#"{"a":[]}"#, #"{"a":[1,2]}"#)
        _ = try roundTrip(#"{"a":[1,2,3]}"#, #"{"a":[3,2,1,0]}"#)
        _ = try roundTrip(#"{"a":1}"#, #"{"a":1.5}"#)
        _ = try roundTrip(#"{"a":"x\u0000\"\\\n\u001b[31m"}"#, #"{"a":"y\u2028😀"}"#)
    }

    @Test func randomEditsRoundTrip() throws {
        var rng = SeededGenerator(seed: 14)
        for _ in 0..<400 {
            // Through text, as a recording holds them (2.0 reads back as 2).
            let a = try JSONValue(parsing: Data(randomValue(depth: 3, &rng).canonical.text.utf8))
            let b = try JSONValue(parsing: Data(mutate(a, &rng).canonical.text.utf8))
            let patch = SnapshotPatch.diff(a, b)
            let applied = try patch.map { try SnapshotPatch.apply(try JSONValue(parsing: Data($0.text.utf8)), to: a) } ?? a
            #expect(applied == b, "a: \(a.text)\nb: \(b.text)\npatch: \(patch?.text ?? "nil")")
        }
    }

    @Test func patchesThatDoNotFitAreRefused() throws {
        #expect(throws: PatchError.self) { try SnapshotPatch.apply(try json(#"{"h":{"-":5}}"#), to: try json(#"{"h":[1,2]}"#)) }
        #expect(throws: PatchError.self) { try SnapshotPatch.apply(try json(#"{"h":{"7":1}}"#), to: try json(#"{"h":[1,2]}"#)) }
        #expect(throws: PatchError.self) { try SnapshotPatch.apply(try json(#"{"h":{"+":3}}"#), to: try json(#"{"h":[1,2]}"#)) }
        #expect(throws: PatchError.self) { try SnapshotPatch.apply(try json(#"{"h":{"x":3}}"#), to: try json(#"{"h":[1,2]}"#)) }
    }

    // MARK: - Random JSON

    func randomValue(depth: Int, _ rng: inout SeededGenerator) -> JSONValue {
        switch Int.random(in: 0..<(depth > 0 ? 7 : 4), using: &rng) {
        case 0: return .int(Int.random(in: -3...9, using: &rng))
        case 1: return .double(Double(Int.random(in: 0...99, using: &rng)) / 10)
        case 2: return .string(["a", "b", "", "é", "x y"].randomElement(using: &rng)!)
        case 3: return .bool(Bool.random(using: &rng))
        case 4, 5: return .array((0..<Int.random(in: 0...5, using: &rng)).map { _ in randomValue(depth: depth - 1, &rng) })
        default:
            var o: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &rng) { o[["k", "l", "m", "-", "+", "0"].randomElement(using: &rng)!] = randomValue(depth: depth - 1, &rng) }
            return .object(o)
        }
    }

    func mutate(_ v: JSONValue, _ rng: inout SeededGenerator) -> JSONValue {
        switch v {
        case .object(var o):
            for key in o.keys where Int.random(in: 0..<3, using: &rng) == 0 { o[key] = mutate(o[key]!, &rng) }
            if Int.random(in: 0..<4, using: &rng) == 0, let key = o.keys.first { o[key] = nil }
            if Int.random(in: 0..<4, using: &rng) == 0 { o["n"] = randomValue(depth: 1, &rng) }
            return .object(o)
        case .array(var a):
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where !a.isEmpty: a.removeFirst(Int.random(in: 1...a.count, using: &rng)); a.append(randomValue(depth: 1, &rng))
            case 1: a.append(randomValue(depth: 1, &rng))
            case 2 where !a.isEmpty: let i = Int.random(in: 0..<a.count, using: &rng); a[i] = mutate(a[i], &rng)
            case 3: a.shuffle(using: &rng)
            default: return randomValue(depth: 2, &rng)
            }
            return .array(a)
        default:
            return Int.random(in: 0..<2, using: &rng) == 0 ? v : randomValue(depth: 1, &rng)
        }
    }
}

/// Reproducible randomness (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
