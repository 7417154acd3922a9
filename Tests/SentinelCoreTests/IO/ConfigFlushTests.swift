import RESP
import Testing

@testable import SentinelCore

/// One config write at a time (IO/ConfigFlush.swift): changes during a write go into the next,
/// and each reply waits for the write that covers it.
@Suite("Config flush")
struct ConfigFlushTests {
    func held(_ slot: Int) -> ConfigFlush.HeldReply {
        ConfigFlush.HeldReply(client: ClientID(1), slot: slot, success: .ok, failure: nil)
    }

    @Test("nothing changed: no write; a change: one write, and none while it is in flight")
    func oneAtATime() {
        var flush = ConfigFlush()
        #expect(flush.writeDue() == nil && !flush.changed)
        flush.changed = true
        #expect(flush.writeDue() == 1)
        flush.changed = true
        #expect(flush.changed)
        #expect(flush.writeDue() == nil, "the change waits for write 1")
        #expect(flush.persisted(token: 1).isEmpty)
        #expect(flush.writeDue() == 2, "then goes out in its own write")
        #expect(flush.writeDue() == nil && !flush.changed)
    }

    @Test("a reply waits for the write that covers it; a reply alone asks for a write")
    func replies() {
        var flush = ConfigFlush()
        flush.hold(held(10))
        #expect(flush.writeDue() == 1)
        flush.hold(held(11))
        #expect(flush.writeDue() == nil)
        #expect(flush.persisted(token: 1).map(\.slot) == [10])
        #expect(flush.writeDue() == 2)
        #expect(flush.persisted(token: 2).map(\.slot) == [11])
        var alone = ConfigFlush()
        alone.hold(held(5))
        #expect(alone.changed && alone.writeDue() == 1)
    }

    @Test("a write ending covers every earlier token too")
    func coversEarlier() {
        var flush = ConfigFlush()
        flush.hold(held(1))
        #expect(flush.writeDue() == 1)
        _ = flush.persisted(token: 1)
        flush.hold(held(2))
        #expect(flush.writeDue() == 2)
        #expect(flush.persisted(token: 5).map(\.slot) == [2])
        #expect(flush.persisted(token: 5).isEmpty)
    }
}
