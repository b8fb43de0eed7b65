//! What a simulator run knows before it starts: the one API client it
//! accepts, the people who may sign in, the token lifetime and which faults
//! to inject.

/// Settings for one simulator run.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The only `client_id` the token endpoint accepts.
    pub client_id: String,
    /// The secret that goes with `client_id`.
    pub client_secret: String,
    /// Who may sign in with the password grant.
    pub users: Vec<SimUser>,
    /// Lifetime of an access token; sent as the string `expires_in`.
    pub access_token_ttl_secs: u64,
    /// Faults to inject into API requests; can be changed while running.
    pub faults: Faults,
    /// Answer the first entries page of every third report with no items
    /// but a `NextPage`, as Concur sometimes does.
    pub empty_first_entries_page: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            client_id: "spendmap-demo-client".to_owned(),
            client_secret: "sim-client-secret-0000".to_owned(),
            users: default_users(),
            access_token_ttl_secs: 3600,
            faults: Faults::default(),
            empty_first_entries_page: true,
        }
    }
}

/// One of each kind of sign-in a client has to cope with.
fn default_users() -> Vec<SimUser> {
    vec![
        SimUser::new("wsadmin@example.test", "sim-password-1", Role::WebServicesAdmin),
        SimUser::new("plainuser@example.test", "sim-password-2", Role::Plain),
        SimUser {
            state: UserState::Locked,
            ..SimUser::new("locked@example.test", "", Role::Plain)
        },
        SimUser { state: UserState::SsoOnly, ..SimUser::new("sso@example.test", "", Role::Plain) },
    ]
}

/// A person who can ask for a token with the password grant.
#[derive(Clone, Debug)]
pub struct SimUser {
    /// Concur login id, compared without regard to ASCII case.
    pub username: String,
    /// Ignored unless `state` is [`UserState::Active`].
    pub password: String,
    /// Decides whether `user=ALL` and other people's reports are allowed.
    pub role: Role,
    /// Whether the password grant can succeed at all.
    pub state: UserState,
}

impl SimUser {
    /// An active user with the given role.
    pub fn new(username: &str, password: &str, role: Role) -> SimUser {
        SimUser {
            username: username.to_owned(),
            password: password.to_owned(),
            role,
            state: UserState::Active,
        }
    }
}

/// The Concur role that matters for reading other people's expenses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Web Services Administrator: may read every owner's reports.
    WebServicesAdmin,
    /// May read only their own reports.
    Plain,
}

/// How the token endpoint treats a password grant for a user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserState {
    /// Normal sign-in.
    Active,
    /// Any password is answered with code 14 (account locked).
    Locked,
    /// Any password is answered with code 21 (company uses single sign-on).
    SsoOnly,
}

/// Switchable misbehaviour of the API endpoints.
///
/// All `*_every` settings share one 1-based counter `n` of API requests; a
/// fault applies when `n % every == 0`. At most one fault applies to a
/// request, checked in the order rate limit, unavailable, drop, slow. The
/// token endpoint is neither counted nor faulted. Zero turns a fault off.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Every Nth API request answers 429.
    pub rate_limit_every: u32,
    /// `Retry-After` seconds on those 429s; `None` leaves the header out.
    pub retry_after: Option<u64>,
    /// Every Nth API request answers 503 with an HTML body.
    pub unavailable_every: u32,
    /// Every Nth API request sends its 200 headers and part of the body,
    /// then drops the connection.
    pub drop_every: u32,
    /// Every Nth API request waits `slow_ms` before answering.
    pub slow_every: u32,
    /// How long a slow request waits.
    pub slow_ms: u64,
    /// Every API request waits this long first (benchmarks use 20).
    pub latency_ms: u64,
    /// An access token answers 401 once it has served this many API calls.
    pub token_expires_after_calls: u32,
}

/// The fault chosen for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    RateLimit,
    Unavailable,
    Drop,
    Slow,
}

impl Faults {
    /// Which fault, if any, request number `n` (1-based) gets.
    pub(crate) fn pick(&self, n: u64) -> Option<Fault> {
        let hits = |every: u32| every != 0 && n.is_multiple_of(u64::from(every));
        let order = [
            (self.rate_limit_every, Fault::RateLimit),
            (self.unavailable_every, Fault::Unavailable),
            (self.drop_every, Fault::Drop),
            (self.slow_every, Fault::Slow),
        ];
        order.into_iter().find(|&(every, _)| hits(every)).map(|(_, fault)| fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_share_one_counter_and_rate_limit_wins() {
        let faults = Faults { rate_limit_every: 2, unavailable_every: 3, ..Faults::default() };
        let picked: Vec<_> = (1..=6).map(|n| faults.pick(n)).collect();
        assert_eq!(
            picked,
            [
                None,
                Some(Fault::RateLimit),
                Some(Fault::Unavailable),
                Some(Fault::RateLimit),
                None,
                Some(Fault::RateLimit),
            ]
        );
    }

    #[test]
    fn no_faults_by_default() {
        assert!((1..100).all(|n| Faults::default().pick(n).is_none()));
    }
}
