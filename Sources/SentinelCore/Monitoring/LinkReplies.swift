import OrderedCollections
import RESP

/// Frames on the links: each reply is routed by the tag the link machine pops from its
/// connection's queue (hiredis's reply callbacks, sentinel-behaviour §5), pub/sub messages go to
/// the hello processing.
extension Sentinel {
    mutating func linkFrame(_ id: LinkID, _ value: RESPValue) {
        switch links.receive(value, on: id, now: now) {
        case .stale, .unsolicited:
            break
        case .drop(let owner, let id):
            dropConnection(id, owner: owner, reason: value.errorText)
        case .message(let owner):
            if let elements = value.elements, elements.count == 3, elements[0].string == "message",
                let payload = elements[2].string
            {
                processHello(payload, from: owner)
            }
        case .reply(let owner, let tag, pubsub: true):
            pubsubReply(owner, tag, value, on: id)
        case .reply(let owner, let tag, pubsub: false):
            commandReply(owner, tag, value)
        }
    }

    /// A reply on a pub/sub connection: the handshake's (AUTH, SETNAME, the SUBSCRIBE
    /// confirmation), in order.
    mutating func pubsubReply(_ owner: LinkOwner, _ tag: ReplyTag, _ value: RESPValue, on id: LinkID) {
        if tag == .subscribe, case .error(let text) = value {
            // hiredis closes a pub/sub connection whose SUBSCRIBE fails (e.g. -NOAUTH).
            if Self.isAuthFailure(text) || text.hasPrefix("NOPERM") {
                noteAuthFailure(owner, text, command: "SUBSCRIBE \(Wire.helloChannel)")
            }
            dropConnection(id, owner: owner, reason: "SUBSCRIBE failed: \(text)")
        } else if tag == .subscribe {
            noteAuthWorks(owner, permissionToo: true)
        } else if tag == .auth {
            authReply(owner, value)
        }
    }

    /// A reply on a command connection, to the command `tag` stands for.
    mutating func commandReply(_ owner: LinkOwner, _ tag: ReplyTag, _ value: RESPValue) {
        switch tag {
        case .ignore, .subscribe:
            break
        case .auth:
            authReply(owner, value)
        case .ping:
            pingReply(owner, value)
        case .info:
            if let text = value.string { infoReply(owner, text) }
        case .publishHello:
            modifyLink(owner) { $0.helloAnswered() }
            if case .master(let name) = owner { helloPublishAnswered(master: name) }
            if case .error = value { break }
            let now = self.now
            if case .peer = owner { break }
            if let id = instanceID(of: owner) { modifyInstance(id) { $0.lastPubTime = now } }
        case .helloToPeer(let master):
            if case .error = value { break }
            let now = self.now
            if case .peer(let runID) = owner, let id = peerID(runID, of: master) { modifyInstance(id) { $0.lastPubTime = now } }
        case .isMasterDown(let master):
            if case .peer(let runID) = owner { isMasterDownReply(master: master, peer: runID, value) }
        case .reconfigure:
            reconfigureReply(owner, value)
        case .configRewrite:
            // A server started without a config file cannot rewrite it: harmless, as in the
            // SLAVEOF transaction; anything else is logged.
            if case .error(let text) = value, !text.contains("config file") { reconfigureReply(owner, value) }
        case .transaction(let kind, let master, let step, let last):
            transactionReply(kind, master: master, step: step, last: last, value)
        case .coordinatedNotice(let master):
            if case .peer(let runID) = owner { coordinatedNoticeReply(master: master, peer: runID) }
        case .confirmAddress(let master):
            if case .peer(let runID) = owner { confirmAddressReply(master: master, peer: runID, value) }
        case .permissionProbe(let master, let command):
            permissionProbeReply(master: master, command: command, value)
        case .stuckFailoverAbort(let master):
            stuckFailoverAbortReply(master: master, value)
        case .ackFence(let nonce, let retried):
            guard value.string != nonce else { break }
            if !retried {
                // That was GETACK's own answer; the ECHO's comes next.
                links.requeue(.ackFence(nonce, retried: true), on: owner)
            } else if let id = links[owner]?.cc.id {
                // Neither frame was the nonce (ECHO refused?): the accounting cannot be trusted,
                // so start the connection afresh.
                links.ackPromptWasRefused(owner)
                dropConnection(id, owner: owner, reason: "unexpected reply to the GETACK fence")
            }
        }
    }

    /// PING reply (sentinelPingReplyCallback): PONG, LOADING and MASTERDOWN count as available.
    mutating func pingReply(_ owner: LinkOwner, _ value: RESPValue) {
        var acceptable = false
        switch value {
        case .simpleString(let s): acceptable = s.hasPrefix("PONG")
        case .error(let e): acceptable = e.hasPrefix("LOADING") || e.hasPrefix("MASTERDOWN")
        default: break
        }
        let now = self.now
        let answered: (authFailed: Bool, silence: Millis)? = modifyLink(owner) { link in
            (link.authFailure != nil, link.pingAnswered(acceptable: acceptable, now: now))
        }
        guard let (authFailed, silence) = answered else { return }
        // Back after a silence: its role may have changed (StaleMaster.swift).
        if acceptable { instanceAnsweredAfterSilence(owner, silence: silence) }
        // -NOAUTH is not "alive" (above) and says why: logged once (LinkAuth.swift).
        if case .error(let text) = value, Self.isAuthFailure(text) {
            noteAuthFailure(owner, text, command: "PING")
        } else if acceptable, authFailed {
            noteAuthWorks(owner)
        }
        // The first real PONG after a reboot ends the master-reboot window (written only when set:
        // every PONG of every master comes here).
        if case .master(let name) = owner, case .simpleString(let s) = value, s.hasPrefix("PONG"),
            readMaster(name, { $0.masterReboot }) == true
        {
            modifyMaster(name) { $0.masterReboot = false }
        }
    }
}

extension RESPValue {
    /// The text of an error reply, else "".
    var errorText: String {
        if case .error(let e) = self { return e }
        return ""
    }
}
