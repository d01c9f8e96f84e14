#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Retry backoff

/// Exponential backoff with jitter, bounded in total: how long a backend waits before it runs a transaction again
/// that another process kept from starting or finishing (SQLite: `SQLITE_BUSY`; PostgreSQL: a serialization
/// failure or a deadlock), and for how long it keeps trying. One policy for every backend: 2 ms doubling up to
/// 250 ms, each wait a random 50–100 % of that, for at most `budget` from the first attempt.
package struct RetryBackoff: Sendable {
    /// The longest total wait, counted from the first attempt; then the last failure stands.
    package var budget: Duration
    /// The wait before the first retry, before jitter.
    package var initialDelay: Duration
    /// The longest single wait, before jitter.
    package var maxDelay: Duration

    package init(budget: Duration, initialDelay: Duration = .milliseconds(2), maxDelay: Duration = .milliseconds(250)) {
        self.budget = budget
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// The nominal wait after `attempt` failed attempts (0-based): `initialDelay` doubled per attempt, capped.
    package func nominalDelay(afterAttempt attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 0..<min(attempt, 30) where delay < maxDelay { delay *= 2 }
        return min(delay, maxDelay)
    }

    /// The wait after `attempt` failed attempts: the nominal delay scaled by a random factor in [0.5, 1), so
    /// that writers that collided once do not collide again in lockstep.
    package func delay<R: RandomNumberGenerator>(afterAttempt attempt: Int, using random: inout R) -> Duration {
        nominalDelay(afterAttempt: attempt) * Double.random(in: 0.5..<1, using: &random)
    }

    /// `delay(afterAttempt:using:)` with the system's random numbers.
    package func delay(afterAttempt attempt: Int) -> Duration {
        var random = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, using: &random)
    }

    /// Blocks the thread for `duration` (`nanosleep`, resumed after signals).
    package static func sleep(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        guard seconds > 0 || attoseconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
    }
}
