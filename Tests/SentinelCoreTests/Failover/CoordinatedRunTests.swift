import Testing

@testable import SentinelCore

/// The leader's coordinated-failover machine on its own (CoordinatedRun.swift): each phase holds
/// only its own data, and events answer with a ``CoordinatedRun/Action`` compared directly.
@Suite("Coordinated run")
struct CoordinatedRunTests {
    let old = HostPort("127.0.0.1", 6379)
    let new = HostPort("127.0.0.1", 6380)

    @Test("announcing: proceeds once every peer answered, or at once with no peer; the wait is bounded")
    func announcing() {
        var run = CoordinatedRun(pause: 1_000)
        #expect(run.announced(to: ["a", "b"], until: 100) == .wait)
        #expect(run.phase == .announcing(CoordinatedRun.PeerWait(awaiting: ["a", "b"], until: 100)))
        #expect(!run.mayPause(now: 99) && run.mayPause(now: 100))
        #expect(run.noticeAnswered(by: "a") == .wait)
        #expect(run.noticeAnswered(by: "zz") == .wait)
        #expect(run.noticeAnswered(by: "b") == .proceed)
        #expect(run.mayPause(now: 0))
        var alone = CoordinatedRun(pause: 1_000)
        #expect(alone.announced(to: [], until: 100) == .proceed)
        #expect(alone.holdsHellos && !alone.pauseSent)
    }

    @Test("paused: the pause ends at now + pause; stuck and over-time polls abort, FAILOVER ABORT only when stuck")
    func paused() {
        var run = CoordinatedRun(pause: 1_000)
        _ = run.announced(to: [], until: 0)
        run.pauseSent(now: 50)
        #expect(run.pauseEnds == 1_050 && run.pauseSent && run.holdsHellos)
        #expect(run.pollVerdict(now: 2_050, stuckAfter: 500, margin: 1_000) == .wait)
        #expect(
            run.pollVerdict(now: 2_051, stuckAfter: 500, margin: 1_000)
                == .abort(code: "pause-expired", reason: "the target did not take over within the pause (1000 ms)", failoverAbort: false))
        #expect(run.masterReported(failoverState: "waiting-for-sync", isMaster: true, now: 60) == .wait)
        #expect(run.masterReported(failoverState: "failover-in-progress", isMaster: false, now: 70) == .wait)
        #expect(run.masterReported(failoverState: "failover-in-progress", isMaster: false, now: 90) == .wait)
        #expect(run.pollVerdict(now: 570, stuckAfter: 500, margin: 1_000) == .wait)
        #expect(
            run.pollVerdict(now: 571, stuckAfter: 500, margin: 1_000)
                == .abort(code: "stuck", reason: "stuck in failover-in-progress for 501 ms", failoverAbort: true))
    }

    @Test("paused: a master back to no-failover after one was seen ended FAILOVER without a promotion")
    func endedWithoutPromotion() {
        var run = CoordinatedRun(pause: 1_000)
        _ = run.announced(to: [], until: 0)
        run.pauseSent(now: 0)
        #expect(run.masterReported(failoverState: "no-failover", isMaster: true, now: 10) == .wait)
        #expect(run.masterReported(failoverState: "waiting-for-sync", isMaster: true, now: 20) == .wait)
        #expect(
            run.masterReported(failoverState: "no-failover", isMaster: true, now: 30)
                == .abort(code: "not-caught-up", reason: "the master ended FAILOVER without a promotion (replica never caught up)", failoverAbort: false))
    }

    @Test("confirming, then released: bounded wait, both releases confirmed, a failed one due again at once")
    func confirmAndRelease() {
        var run = CoordinatedRun(pause: 1_000)
        _ = run.announced(to: [], until: 0)
        run.pauseSent(now: 0)
        #expect(run.promoted(asked: ["a"], until: 400) == .wait)
        #expect(run.promotionConfirmed && run.holdsHellos && run.pauseEnds == nil)
        #expect(run.confirmationOpen(now: 399) && !run.confirmationExpired(now: 399) && run.confirmationExpired(now: 400))
        #expect(run.unconfirmed == ["a"])
        #expect(run.addressConfirmed(by: "a") == .proceed)
        run.release()
        #expect(run.stage == .released && !run.holdsHellos && run.releasePending)
        #expect(run.releasesDue([old, new], now: 500, retry: 200) == [old, new])
        #expect(run.releasesDue([old, new], now: 600, retry: 200) == [])
        #expect(run.releaseEnded(old, ok: false) == false)
        #expect(run.releasesDue([old, new], now: 610, retry: 200) == [old])
        #expect(run.releasesDue([old, new], now: 700, retry: 200) == [new])
        #expect(run.releaseEnded(old, ok: true) == false)
        #expect(run.releaseEnded(new, ok: true) == true)
        #expect(!run.releasePending)
        #expect(run.releasesDue([old, new], now: 2_000, retry: 200) == [])
    }

    @Test("events of another phase change nothing")
    func wrongPhase() {
        var run = CoordinatedRun(pause: 1_000)
        #expect(run.noticeAnswered(by: "a") == .wait)
        run.pauseSent(now: 0)
        #expect(run.promoted(asked: [], until: 0) == .wait)
        run.release()
        #expect(run.releasesDue([old], now: 0, retry: 1) == [])
        #expect(run == CoordinatedRun(pause: 1_000))
    }
}
