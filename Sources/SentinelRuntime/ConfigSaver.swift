//===----------------------------------------------------------------------===//
// swift-sentinel — config saves off the event loop
//===----------------------------------------------------------------------===//

import NIOCore
import NIOPosix
import SentinelCore
import Synchronization

/// Saves the states of `.persistConfig` on one background thread, so the event loop never waits
/// for a read, rewrite, write, fsync or rename of sentinel.conf.
///
/// At most one save is in flight. While one is, a new state only replaces the pending one (the
/// latest state contains everything the earlier ones did); when the save finishes, its token is
/// reported with `onSaved` on the loop and the pending state, if any, is saved next. A burst of
/// N requests therefore costs at most two writes, and the token reported for a write is the
/// highest one whose state it contains: the core takes it as covering every earlier token.
///
/// ``flushNow()`` is for the exits (SHUTDOWN, SIGTERM, a simulated crash): it waits for the save in
/// progress and writes the latest state on the calling thread, as Redis saves its config on the
/// way out. Confined to the runtime's loop, like ``RuntimeEngine``.
final class ConfigSaver {
    /// A finished save: the highest token it covers, and the error if it failed.
    typealias Completion = (_ token: Int, _ error: ConfigWriteError?) -> Void

    private let loop: any EventLoop
    private let disk: ConfigDisk
    private let onSaved: Completion
    /// Started at the first save; stopped by ``stop()``.
    private var pool: NIOThreadPool?
    /// The save running on the pool: its sequence number, the token it will report, and its
    /// state (kept for ``flushNow()``).
    private var inFlight: (sequence: Int, token: Int, state: SentinelConfig, started: NIODeadline)?
    /// The latest state asked for while a save was in flight (kept for ``flushNow()`` too).
    private var pending: (state: SentinelConfig, token: Int)?
    /// The state of the last write, if it failed and nothing was written since (kept for
    /// ``flushNow()``: the exit tries it once more and reports a second failure).
    private var unsaved: SentinelConfig?
    private var nextSequence = 1
    private var stopped = false
    /// Told of every background write once it finished: how long it took (from its start on the
    /// loop) and whether it failed (the config-save series of `/metrics`).
    var onWrite: ((_ elapsed: TimeAmount, _ failed: Bool) -> Void)?

    init(loop: any EventLoop, path: String, seams: ConfigFile.Seams, onSaved: @escaping Completion) {
        self.loop = loop
        self.disk = ConfigDisk(path: path, seams: seams)
        self.onSaved = onSaved
    }

    /// Saves `state` in the background, or queues it (replacing any queued state) behind the save
    /// in flight. `onSaved` reports `token` once a write containing `state` has finished.
    func save(_ state: SentinelConfig, token: Int) {
        guard !stopped else { return }
        if inFlight != nil {
            pending = (state, token)
        } else {
            start(state, token: token)
        }
    }

    private func start(_ state: SentinelConfig, token: Int) {
        let sequence = nextSequence
        nextSequence += 1
        inFlight = (sequence, token, state, .now())
        let pool = self.pool ?? makePool()
        let disk = self.disk
        pool.runIfActive(eventLoop: loop) {
            disk.write(state, sequence: sequence)
        }.assumeIsolated().whenComplete { result in
            self.finished(sequence: sequence, token: token, result: result)
        }
    }

    private func makePool() -> NIOThreadPool {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        self.pool = pool
        return pool
    }

    private func finished(sequence: Int, token: Int, result: Result<ConfigDisk.Outcome, any Error>) {
        guard !stopped, let written = inFlight, written.sequence == sequence else { return }
        inFlight = nil
        let error: ConfigWriteError?
        switch result {
        case .success(.written):
            error = nil
            unsaved = nil
        case .success(.failed(let failure)):
            error = failure
            unsaved = written.state
        case .success(.superseded), .failure:
            // Not run: only after `flushNow`/`stop`, which the guard above already excludes.
            return
        }
        onWrite?(.now() - written.started, error != nil)
        // The next write starts before the core hears of this one, so the disk is never idle
        // while a state waits.
        if let next = pending {
            pending = nil
            start(next.state, token: next.token)
        }
        onSaved(token, error)
    }

    /// For the exits only (``stop()`` follows): waits for the save in flight, then writes the
    /// latest state (`latest`, a state the core has not handed over yet, else the pending one, else
    /// the one in flight again, else the last one whose write failed) on the calling thread; tokens still unreported are not reported any
    /// more. Returns the error if that write failed; nil when it worked or there was nothing left
    /// to write.
    @discardableResult
    func flushNow(latest newer: SentinelConfig? = nil) -> ConfigWriteError? {
        guard let latest = newer ?? pending?.state ?? inFlight?.state ?? unsaved else { return nil }
        let sequence = nextSequence
        nextSequence += 1
        pending = nil
        inFlight = nil
        switch disk.write(latest, sequence: sequence) {
        case .written, .superseded: return nil
        case .failed(let error): return error
        }
    }

    /// Drops whatever is still queued (call ``flushNow()`` first) and stops the thread without
    /// waiting for it. Later saves are ignored.
    func stop() {
        stopped = true
        pending = nil
        inFlight = nil
        pool?.shutdownGracefully { _ in }
        pool = nil
    }
}

@available(*, unavailable)
extension ConfigSaver: Sendable {}

/// The file side of ``ConfigSaver``: one write at a time, from whichever thread, and never an
/// older state over a newer one (a save queued on the pool that only starts after ``ConfigSaver/flushNow()``
/// wrote a later state is skipped).
final class ConfigDisk: Sendable {
    enum Outcome: Sendable {
        case written
        case failed(ConfigWriteError)
        /// A later state had already been written; this one was not.
        case superseded
    }

    let path: String
    let seams: ConfigFile.Seams
    /// The sequence number of the last write attempted; held for the whole write.
    private let lastSequence = Mutex(0)

    init(path: String, seams: ConfigFile.Seams) {
        self.path = path
        self.seams = seams
    }

    func write(_ state: SentinelConfig, sequence: Int) -> Outcome {
        lastSequence.withLock { last in
            guard sequence > last else { return .superseded }
            last = sequence
            do throws(ConfigWriteError) {
                try ConfigFile.persist(state, path: path, seams: seams)
                return .written
            } catch {
                return .failed(error)
            }
        }
    }
}
