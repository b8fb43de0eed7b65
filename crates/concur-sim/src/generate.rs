//! Synthetic tenants of any size for benchmarks, reproducible from a seed.
//!
//! A small xorshift generator is enough: the point is realistic-looking
//! variety (SaaS next to hotels, taxis and meals), not statistical quality.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use rust_decimal::Decimal;

use crate::mint::{base62, scramble, splitmix};
use crate::tenant::{SimEntry, SimReport, Tenant};

/// xorshift64*, seeded through SplitMix64 so that seed 0 works too.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(splitmix(seed) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// An expense type with its spend category.
struct Kind {
    code: &'static str,
    name: &'static str,
    spend_code: &'static str,
    spend_name: &'static str,
}

const SOFTWARE: Kind = Kind {
    code: "SUBSC",
    name: "Software Subscriptions",
    spend_code: "SUBSC",
    spend_name: "Subscriptions/Publications",
};
const HOTEL: Kind =
    Kind { code: "LODNG", name: "Hotel", spend_code: "LODGA", spend_name: "Lodging" };
const MEAL: Kind =
    Kind { code: "MEALS", name: "Business Meals", spend_code: "MEALS", spend_name: "Meals" };
const TAXI: Kind =
    Kind { code: "GTRAN", name: "Taxi", spend_code: "GRTRN", spend_name: "Ground Transportation" };

/// A vendor string, its kind, plausible descriptions and a price range in
/// cents.
struct Purchase {
    vendor: &'static str,
    kind: &'static Kind,
    descriptions: &'static [&'static str],
    cents: (i64, i64),
}

const PURCHASES: &[Purchase] = &[
    Purchase {
        vendor: "ZOOM.US 888-799-9666",
        kind: &SOFTWARE,
        descriptions: &["Zoom Pro", "Webinar add-on"],
        cents: (1_499, 24_990),
    },
    Purchase {
        vendor: "SLACK T0123ABCD",
        kind: &SOFTWARE,
        descriptions: &["Slack Pro seats", "Team chat"],
        cents: (875, 45_000),
    },
    Purchase {
        vendor: "GOOGLE *GSUITE",
        kind: &SOFTWARE,
        descriptions: &["Workspace", "Shared drives"],
        cents: (600, 21_600),
    },
    Purchase {
        vendor: "ATLASSIAN",
        kind: &SOFTWARE,
        descriptions: &["", "Jira and Confluence"],
        cents: (1_000, 90_000),
    },
    Purchase {
        vendor: "FIGMA MONTHLY",
        kind: &SOFTWARE,
        descriptions: &["Design seats"],
        cents: (1_500, 54_000),
    },
    Purchase {
        vendor: "GITHUB",
        kind: &SOFTWARE,
        descriptions: &["GitHub Team", "Actions minutes"],
        cents: (400, 48_000),
    },
    Purchase {
        vendor: "PADDLE.NET* NOTION",
        kind: &SOFTWARE,
        descriptions: &["Team wiki"],
        cents: (800, 19_200),
    },
    Purchase {
        vendor: "MSFT *E0300ABCDE",
        kind: &SOFTWARE,
        descriptions: &["Microsoft 365", "Office licences"],
        cents: (600, 22_000),
    },
    Purchase {
        vendor: "Hilton Garden Inn",
        kind: &HOTEL,
        descriptions: &["Client visit", "Conference hotel"],
        cents: (12_900, 64_000),
    },
    Purchase {
        vendor: "Marriott Downtown",
        kind: &HOTEL,
        descriptions: &["Offsite", "Two nights"],
        cents: (15_000, 80_000),
    },
    Purchase {
        vendor: "Holiday Inn Express",
        kind: &HOTEL,
        descriptions: &["Training trip"],
        cents: (9_900, 30_000),
    },
    Purchase {
        vendor: "UBER *TRIP",
        kind: &TAXI,
        descriptions: &["Airport", "To the client"],
        cents: (900, 7_500),
    },
    Purchase {
        vendor: "YELLOW CAB",
        kind: &TAXI,
        descriptions: &["Station run"],
        cents: (1_200, 6_000),
    },
    Purchase {
        vendor: "LYFT *RIDE",
        kind: &TAXI,
        descriptions: &["Office to venue"],
        cents: (800, 4_500),
    },
    Purchase {
        vendor: "Starbucks",
        kind: &MEAL,
        descriptions: &["Coffee", "Coffee with a candidate"],
        cents: (350, 2_500),
    },
    Purchase {
        vendor: "Olive Garden",
        kind: &MEAL,
        descriptions: &["Team dinner", "Lunch with Zoom rep"],
        cents: (2_500, 24_000),
    },
    Purchase {
        vendor: "GUSTO",
        kind: &MEAL,
        descriptions: &["Team lunch"],
        cents: (1_800, 16_000),
    },
    Purchase {
        vendor: "Café Größe",
        kind: &MEAL,
        descriptions: &["Breakfast"],
        cents: (700, 4_000),
    },
];

const PEOPLE: &[(&str, &str)] = &[
    ("ana.lima", "Ana Lima"),
    ("bruno.kessler", "Bruno Kessler"),
    ("chloe.marchetti", "Chloé Marchetti"),
    ("devraj.nair", "Devraj Nair"),
    ("emma.sorensen", "Emma Sørensen"),
    ("felix.obi", "Felix Obi"),
    ("grace.tanaka", "Grace Tanaka"),
    ("hugo.almeida", "Hugo Almeida"),
    ("ines.haddad", "Inès Haddad"),
    ("jonas.berg", "Jonas Berg"),
    ("kofi.mensah", "Kofi Mensah"),
    ("lena.novak", "Lena Novák"),
];

const REPORT_NAMES: &[&str] =
    &["Monthly software", "Client visit", "Team offsite", "Conference trip", "Tools and travel"];

/// Approval and payment status pairs that occur together.
const STATUSES: &[(&str, &str)] =
    &[("A_APPR", "P_PAID"), ("A_APPR", "P_PROC"), ("A_PEND", "P_NOTP"), ("A_NOTF", "P_NOTP")];

/// Fractions of a second, in milliseconds, so rendered timestamps vary in
/// length like Concur's.
const FRACTIONS_MS: &[u32] = &[0, 570, 687, 700, 980, 0, 40];

impl Tenant {
    /// `reports` reports of `entries_per_report` entries each, the same for
    /// the same arguments. Modification times spread over October and
    /// November 2026; call [`Tenant::rebase_to`] to move them.
    pub fn generated(reports: usize, entries_per_report: usize, seed: u64) -> Tenant {
        let mut rng = Rng::new(seed);
        let mut next_entry = 0usize;
        let reports = (0..reports)
            .map(|index| {
                let mut report = report(&mut rng, index);
                report.entries = (0..entries_per_report)
                    .map(|_| {
                        next_entry += 1;
                        entry(&mut rng, &report, next_entry)
                    })
                    .collect();
                report
            })
            .collect();
        Tenant { reports }
    }
}

fn report(rng: &mut Rng, index: usize) -> SimReport {
    let (login, name) = *rng.pick(PEOPLE);
    let (approval, payment) = *rng.pick(STATUSES);
    let currency = *rng.pick(&["USD", "USD", "USD", "EUR", "GBP"]);
    SimReport {
        // Random-looking high part; the index in the low part keeps ids unique.
        id: format!("{:012X}{:08X}", rng.next() >> 16, index),
        name: rng.pick(REPORT_NAMES).to_string(),
        owner_login: format!("{login}@example.test"),
        owner_name: name.to_owned(),
        currency: currency.to_owned(),
        last_modified: modified_time(rng),
        approval_status_code: approval.to_owned(),
        payment_status_code: payment.to_owned(),
        entries: Vec::new(),
    }
}

fn modified_time(rng: &mut Rng) -> NaiveDateTime {
    let start = NaiveDate::from_ymd_opt(2026, 10, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("2026-10-01 is a valid date");
    let seconds = rng.below(61 * 24 * 3600) as i64;
    let millis = i64::from(*rng.pick(FRACTIONS_MS));
    start + TimeDelta::seconds(seconds) + TimeDelta::milliseconds(millis)
}

fn entry(rng: &mut Rng, report: &SimReport, serial: usize) -> SimEntry {
    let purchase = rng.pick(PURCHASES);
    let (low, high) = purchase.cents;
    let mut cents = low + rng.below((high - low) as u64 + 1) as i64;
    // A refund now and then: the same vendor, money coming back.
    let refund = rng.chance(2);
    if refund {
        cents = -cents;
    }
    let amount = Decimal::new(cents, 2);
    let days_before = rng.below(20) as i64;

    SimEntry {
        // Base-62 noise plus the serial, so ids are opaque yet unique.
        id: format!("gWid{}{}", scramble(rng.next(), 22), base62(serial as u64, 4)),
        expense_type_code: purchase.kind.code.to_owned(),
        expense_type_name: purchase.kind.name.to_owned(),
        spend_category_code: purchase.kind.spend_code.to_owned(),
        spend_category_name: purchase.kind.spend_name.to_owned(),
        payment_type_name: rng.pick(&["Company Card", "Out of Pocket"]).to_string(),
        transaction_date: report.last_modified.date() - TimeDelta::days(days_before),
        transaction_currency: report.currency.clone(),
        transaction_amount: amount,
        posted_amount: amount,
        approved_amount: amount,
        vendor_description: purchase.vendor.to_owned(),
        description: describe(rng, purchase, refund),
        is_personal: rng.chance(2),
        without_content: rng.chance(1),
    }
}

fn describe(rng: &mut Rng, purchase: &Purchase, refund: bool) -> String {
    let text = *rng.pick(purchase.descriptions);
    if refund { format!("Refund: {text}") } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_sized() {
        let a = Tenant::generated(40, 5, 7);
        let b = Tenant::generated(40, 5, 7);
        let c = Tenant::generated(40, 5, 8);
        let json = |t: &Tenant| serde_json::to_string(t).expect("tenant serialises");

        assert_eq!(json(&a), json(&b));
        assert_ne!(json(&a), json(&c));
        assert_eq!(a.reports.len(), 40);
        assert_eq!(a.entry_count(), 200);
    }

    #[test]
    fn ids_are_unique_and_shaped_like_concur() {
        let tenant = Tenant::generated(300, 10, 1);
        let mut report_ids: Vec<_> = tenant.reports.iter().map(|r| r.id.as_str()).collect();
        let mut entry_ids: Vec<_> =
            tenant.reports.iter().flat_map(|r| &r.entries).map(|e| e.id.as_str()).collect();
        report_ids.sort_unstable();
        report_ids.dedup();
        entry_ids.sort_unstable();
        entry_ids.dedup();

        assert_eq!(report_ids.len(), 300);
        assert_eq!(entry_ids.len(), 3000);
        assert!(report_ids.iter().all(|id| id.len() == 20));
        assert!(entry_ids.iter().all(|id| id.len() == 30));
    }
}
