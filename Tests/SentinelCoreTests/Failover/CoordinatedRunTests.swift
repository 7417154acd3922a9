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
                == .abort(code: "pause-expired", reason: "the target did not take over within the pause (1000 ms)", undo: .unpause))
        #expect(run.masterReported(failoverState: "waiting-for-sync", isMaster: true, offset: nil, now: 60) == .wait)
        #expect(run.masterReported(failoverState: "failover-in-progress", isMaster: false, offset: nil, now: 70) == .wait)
        #expect(run.masterReported(failoverState: "failover-in-progress", isMaster: false, offset: nil, now: 90) == .wait)
        #expect(run.pollVerdict(now: 570, stuckAfter: 500, margin: 1_000) == .wait)
        #expect(
            run.pollVerdict(now: 571, stuckAfter: 500, margin: 1_000)
                == .abort(code: "stuck", reason: "stuck in failover-in-progress for 501 ms", undo: .failoverAbort))
    }

    @Test("paused: a master back to no-failover after one was seen ended FAILOVER without a promotion")
    func endedWithoutPromotion() {
        var run = CoordinatedRun(pause: 1_000)
        _ = run.announced(to: [], until: 0)
        run.pauseSent(now: 0)
        #expect(run.masterReported(failoverState: "no-failover", isMaster: true, offset: nil, now: 10) == .wait)
        #expect(run.masterReported(failoverState: "waiting-for-sync", isMaster: true, offset: nil, now: 20) == .wait)
        #expect(
            run.masterReported(failoverState: "no-failover", isMaster: true, offset: nil, now: 30)
                == .abort(code: "not-caught-up", reason: "the master ended FAILOVER without a promotion (replica never caught up)", undo: .unpause))
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

    @Test("pause-switch: catch up to the newest master offset within half the pause, promote, demote, switched")
    func pauseSwitch() {
        var run = CoordinatedRun(pause: 1_000, method: .pauseSwitch)
        _ = run.announced(to: [], until: 0)
        run.pauseSent(now: 100)
        #expect(run.switchStep == .pausing && run.pauseEnds == 1_100 && !run.promotionShownByInfo)
        // An offset read before the pause was answered is kept (offsets only grow).
        #expect(run.targetReported(offset: 400, now: 101) == .wait)
        #expect(run.pauseAnswered(masterOffset: 500, now: 102) == .wait)
        #expect(run.switchStep == .catchingUp(masterOffset: 500))
        // The master's replication PING under the pause raises what the target must reach.
        #expect(run.masterReported(failoverState: "no-failover", isMaster: true, offset: 514, now: 103) == .wait)
        #expect(run.targetReported(offset: 500, now: 104) == .wait)
        #expect(run.targetReported(offset: nil, now: 105) == .wait)
        #expect(run.pollVerdict(now: 600, stuckAfter: 500, margin: 1_000) == .wait)
        #expect(run.targetReported(offset: 514, now: 106) == .promoteTarget)
        #expect(run.switchStep == .promoting(masterOffset: 514))
        #expect(run.targetReported(offset: 514, now: 107) == .wait, "sent once")
        #expect(run.targetPromoted(offset: 514, failure: nil) == .demoteOldMaster)
        #expect(run.switchStep == .demoting(targetOffset: 514))
        #expect(run.oldMasterDemoted(failure: nil) == .switched)
        #expect(run.promoted(asked: [], until: 200) == .proceed)
    }

    @Test("pause-switch: not caught up by half the pause aborts; refusals abort with what to undo; a lost demotion answer goes on")
    func pauseSwitchFailures() {
        func paused() -> CoordinatedRun {
            var run = CoordinatedRun(pause: 1_000, method: .pauseSwitch)
            _ = run.announced(to: [], until: 0)
            run.pauseSent(now: 0)
            return run
        }
        var slow = paused()
        #expect(slow.pauseAnswered(masterOffset: 500, now: 1) == .wait)
        #expect(slow.targetReported(offset: 499, now: 500) == .wait)
        #expect(
            slow.pollVerdict(now: 501, stuckAfter: 500, margin: 1_000)
                == .abort(
                    code: "not-caught-up",
                    reason: "the target did not catch up within half the pause (500 ms) (master at 500, target at 499)", undo: .unpause))
        #expect(slow.targetReported(offset: 500, now: 501) == .wait, "too late to switch")
        // Replies of a switch step the run is not at (late, after an abort) change nothing.
        #expect(slow.targetPromoted(offset: 500, failure: nil) == .wait)
        #expect(slow.oldMasterDemoted(failure: "NOPERM no") == .wait && slow.oldMasterDemoted(failure: nil) == .wait)
        #expect(slow.switchStep == .catchingUp(masterOffset: 500))
        var unanswered = paused()
        #expect(
            unanswered.pollVerdict(now: 501, stuckAfter: 500, margin: 1_000)
                == .abort(code: "not-caught-up", reason: "the target did not catch up within half the pause (500 ms)", undo: .unpause))
        var refused = paused()
        _ = refused.pauseAnswered(masterOffset: 500, now: 1)
        #expect(refused.targetReported(offset: 500, now: 2) == .promoteTarget)
        #expect(refused.pollVerdict(now: 2_001, stuckAfter: 500, margin: 1_000).isAbort(code: "pause-expired"))
        #expect(
            refused.targetPromoted(offset: nil, failure: "NOPERM no")
                == .abort(code: "promotion-refused", reason: "the target refused REPLICAOF NO ONE: NOPERM no", undo: .unpause))
        var demoted = paused()
        _ = demoted.pauseAnswered(masterOffset: 500, now: 1)
        _ = demoted.targetReported(offset: 500, now: 2)
        _ = demoted.targetPromoted(offset: 500, failure: nil)
        #expect(demoted.pollVerdict(now: 2_000, stuckAfter: 500, margin: 1_000) == .wait)
        #expect(demoted.pollVerdict(now: 2_001, stuckAfter: 500, margin: 1_000) == .switched)
        #expect(
            demoted.oldMasterDemoted(failure: "NOPERM no")
                == .abort(code: "demotion-refused", reason: "the old master refused REPLICAOF: NOPERM no", undo: .demoteTarget))
        // FAILOVER's events change nothing here, and the other way round.
        var server = CoordinatedRun(pause: 1_000)
        _ = server.announced(to: [], until: 0)
        server.pauseSent(now: 0)
        #expect(server.pauseAnswered(masterOffset: 1, now: 1) == .wait && server.targetReported(offset: 1, now: 1) == .wait)
        #expect(server.switchStep == nil && server.promotionShownByInfo)
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

extension CoordinatedRun.Action {
    func isAbort(code expected: String) -> Bool {
        if case .abort(let code, _, _) = self { code == expected } else { false }
    }
}
