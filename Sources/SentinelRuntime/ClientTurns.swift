//===----------------------------------------------------------------------===//
// swift-sentinel — the turns of clients whose commands are waiting
//===----------------------------------------------------------------------===//

import NIOCore

/// Runs the next turn of every client whose input holds more commands than one turn takes (a
/// client that pipelines), all of them once per event-loop iteration, between two polls of the
/// sockets: what Redis gets by reading one 16 KiB chunk per client per loop iteration.
///
/// A turn cannot simply queue the next one with `execute`: NIO keeps running tasks that were
/// queued while it ran tasks before it polls the sockets again, so one pipelining client kept the
/// loop to itself until its whole input was handled (a millisecond or more per 64 KiB read) and
/// every other client waited that long. Here the next round is a task scheduled a few
/// microseconds after the current round ends, so the poll comes first and the other clients'
/// ready input is handled between two rounds.
package final class ClientTurns {
    /// How far ahead the next round is scheduled: long enough that the loop polls the sockets
    /// before it, short enough not to slow a pipelining client that is alone.
    package static let pause: TimeAmount = .microseconds(20)

    private var waiting: [() -> Void] = []
    private var roundScheduled = false

    package init() {}

    /// Queues `turn` for the next round, and schedules that round if none is.
    package func enqueue(on loop: any EventLoop, _ turn: @escaping () -> Void) {
        waiting.append(turn)
        guard !roundScheduled else { return }
        schedule(on: loop)
    }

    private func schedule(on loop: any EventLoop) {
        roundScheduled = true
        loop.assumeIsolated().scheduleTask(in: Self.pause) { self.runRound(on: loop) }
    }

    /// One turn for each waiting client; turns queued meanwhile wait for the next round, which is
    /// scheduled from the end of this one (so it cannot fall due before the next poll).
    private func runRound(on loop: any EventLoop) {
        var round: [() -> Void] = []
        swap(&round, &waiting)
        for turn in round { turn() }
        roundScheduled = false
        if !waiting.isEmpty { schedule(on: loop) }
    }
}

@available(*, unavailable)
extension ClientTurns: Sendable {}
