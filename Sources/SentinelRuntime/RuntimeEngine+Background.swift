//===----------------------------------------------------------------------===//
// swift-sentinel — work the runtime does off the loop: TLS contexts, the ACL file
//===----------------------------------------------------------------------===//

import Logging
import NIOCore
import NIOPosix
import NIOSSL
import RESP
import SentinelCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension RuntimeEngine {
    /// `.prepareTLS`: builds the contexts on the TLS pool (file reads, key checks), keeps them
    /// for `.activateTLS` and reports `.tlsPrepared`; the contexts in use stay until then.
    func prepareTLS(_ settings: TLSSettings, token: Int) {
        offload { () -> Result<TLSContexts, TLSSetupError> in
            do throws(TLSSetupError) {
                return .success(try TLSContextFactory.make(settings))
            } catch {
                return .failure(error)
            }
        } then: { engine, outcome in
            switch outcome {
            case .success(.success(let contexts)):
                engine.preparedTLS[token] = contexts
                engine.deliver([.tlsPrepared(token: token, error: nil)])
            case .success(.failure(let error)):
                engine.deliver([.tlsPrepared(token: token, error: error.message)])
            case .failure(let error):
                engine.deliver([.tlsPrepared(token: token, error: "\(error)")])
            }
        }
    }

    /// Runs `work` on the background pool, then `done` with its outcome back on the loop, unless
    /// the runtime stopped meanwhile.
    func offload<T: Sendable>(
        _ work: @escaping @Sendable () -> T, then done: @escaping (RuntimeEngine, Result<T, any Error>) -> Void
    ) {
        whileRunning(startedBackgroundPool().runIfActive(eventLoop: loop, work), done)
    }

    /// Calls `done` on the loop with the outcome of `future` (work done off the loop), unless the
    /// runtime stopped meanwhile: the one way the engine comes back from background work.
    func whileRunning<T>(
        _ future: EventLoopFuture<T>, _ done: @escaping (RuntimeEngine, Result<T, any Error>) -> Void
    ) {
        let engine = NIOLoopBound(self, eventLoop: loop)
        future.assumeIsolated().whenComplete { outcome in
            let engine = engine.value
            guard case .running = engine.phase else { return }
            done(engine, outcome)
        }
    }

    /// The background pool, started on first use.
    func startedBackgroundPool() -> NIOThreadPool {
        if let pool = backgroundPool { return pool }
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        backgroundPool = pool
        return pool
    }

    /// `.aclFile`: reads or replaces the ACL file on the background thread (one thread, so
    /// operations happen in the order the core asked for them) and reports `.aclFileDone`.
    func aclFile(_ operation: AclFile.Operation, token: Int) {
        offload { AclFileIO.perform(operation, token: token) } then: { engine, outcome in
            switch outcome {
            case .success(let event): engine.deliver([event])
            case .failure(let error):
                engine.deliver([.aclFileDone(token: token, text: nil, error: "\(error)")])
            }
        }
    }

    /// `.activateTLS`: new connections use the prepared contexts; open ones keep theirs.
    func activateTLS(token: Int) {
        guard let contexts = preparedTLS.removeValue(forKey: token) else { return }
        tls = contexts
        logger.notice("TLS configuration reloaded")
    }
}
