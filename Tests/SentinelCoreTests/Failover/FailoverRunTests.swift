import Testing

@testable import SentinelCore

/// The failover machine on its own (FailoverRun.swift): phases carry the promoted replica, each
/// transition checks the phase it leaves, and the time limits answer with an ``FailoverRun/Action``.
@Suite("Failover run")
struct FailoverRunTests {
    @Test("the phases in order, the promoted replica from SEND_SLAVEOF_NOONE on, the change time with each")
    func phasesInOrder() {
        var run = FailoverRun(epoch: 7, kind: .agreed, now: 100)
        #expect(run.phase == .waitStart && run.promoted == nil && run.phaseSince == 100)
        run.elected(now: 110)
        #expect(run.phase == .selectSlave && run.promoted == nil)
        run.selected("127.0.0.1:6380", now: 120)
        #expect(run.phase == .sendSlaveofNoOne(promoted: "127.0.0.1:6380"))
        run.promotionSent(now: 130)
        #expect(run.phase == .waitPromotion(promoted: "127.0.0.1:6380") && run.phaseSince == 130)
        run.promotionConfirmed(now: 140)
        #expect(run.phase == .reconfSlaves(promoted: "127.0.0.1:6380"))
        run.ended(now: 150)
        #expect(run.phase == .updateConfig(promoted: "127.0.0.1:6380") && run.phaseSince == 150)
        #expect(run.state == .updateConfig && run.state.wireName == "update_config" && run.epoch == 7)
    }

    @Test("a transition from the wrong phase changes nothing")
    func wrongPhaseIgnored() {
        var run = FailoverRun(epoch: 1, kind: .agreed, now: 0)
        run.promotionConfirmed(now: 5)
        run.ended(now: 5)
        run.selected("r", now: 5)
        #expect(run == FailoverRun(epoch: 1, kind: .agreed, now: 0))
        run.elected(now: 10)
        run.elected(now: 20)
        #expect(run.phase == .selectSlave && run.phaseSince == 10)
    }

    @Test("WAIT_START: proceeds when elected or forced, aborts not elected after the election timeout")
    func waitStart() {
        let agreed = FailoverRun(epoch: 1, kind: .agreed, now: 0)
        #expect(agreed.waitStartAction(elected: true, now: 10, startTime: 0, electionTimeout: 100) == .proceed)
        #expect(agreed.waitStartAction(elected: false, now: 100, startTime: 0, electionTimeout: 100) == .wait)
        #expect(
            agreed.waitStartAction(elected: false, now: 101, startTime: 0, electionTimeout: 100)
                == .abort(event: "-failover-abort-not-elected"))
        let forced = FailoverRun(epoch: 1, kind: .forced, now: 0)
        #expect(forced.waitStartAction(elected: false, now: 1_000, startTime: 0, electionTimeout: 100) == .proceed)
        #expect(forced.isForced && !agreed.isForced)
    }

    @Test("the promotion times out after failover-timeout in the phase")
    func promotionTimeout() {
        var run = FailoverRun(epoch: 1, kind: .agreed, now: 0)
        run.elected(now: 0)
        run.selected("r", now: 50)
        #expect(run.promotionTimeout(now: 1_050, failoverTimeout: 1_000) == .wait)
        #expect(run.promotionTimeout(now: 1_051, failoverTimeout: 1_000) == .abort(event: "-failover-abort-slave-timeout"))
    }

    @Test("a coordinated run lives only inside a failover, and is kept through its updates")
    func coordinatedInside() {
        var run = FailoverRun(epoch: 1, kind: .coordinated(CoordinatedRun(pause: 500)), now: 0)
        #expect(run.coordinated?.stage == .electing && !run.isForced)
        #expect(run.modifyCoordinated { $0.announced(to: ["p"], until: 100) } == .wait)
        #expect(run.coordinated?.stage == .announcing && run.coordinated?.pause == 500)
        var agreed = FailoverRun(epoch: 1, kind: .agreed, now: 0)
        #expect(agreed.coordinated == nil && agreed.modifyCoordinated { _ in true } == nil)
        #expect(agreed.kind == .agreed)
    }
}
