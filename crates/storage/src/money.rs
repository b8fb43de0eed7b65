//! Exact money in the database: integer ten-thousandths.
//!
//! sea-orm reads SQLite decimals back through `f64`, which loses digits, and
//! SQLite's `SUM` over text is a float sum. An `i64` count of 0.0001 units
//! is exact on both backends, sums exactly in SQL, and covers every
//! currency's minor unit (at most three decimals) up to about 9e14.

use rust_decimal::Decimal;

/// Scale of the stored integers: four decimal places.
const SCALE: u32 = 4;

/// The stored form of an amount, or `None` if it does not fit in `i64`.
///
/// Concur sends up to eight decimals (`5.00000000`); digits past the fourth
/// are almost always zeros, and otherwise are rounded half to even.
pub(crate) fn to_e4(amount: Decimal) -> Option<i64> {
    let mut scaled = amount.round_dp(SCALE);
    scaled.rescale(SCALE);
    i64::try_from(scaled.mantissa()).ok()
}

/// The amount for a stored integer, with trailing zeros past the cents
/// removed (`12.5000` reads back as `12.50`).
pub(crate) fn from_e4(units: i64) -> Decimal {
    let mut amount = Decimal::new(units, SCALE).normalize();
    if amount.scale() < 2 {
        amount.rescale(2);
    }
    amount
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).expect("valid decimal in test")
    }

    #[test]
    fn round_trips_cents_and_keeps_two_places() {
        assert_eq!(to_e4(dec("12.34")), Some(123_400));
        assert_eq!(from_e4(123_400).to_string(), "12.34");
        assert_eq!(from_e4(10_000).to_string(), "1.00");
        assert_eq!(from_e4(-5_000).to_string(), "-0.50");
        assert_eq!(from_e4(12_345).to_string(), "1.2345");
    }

    #[test]
    fn eight_decimals_from_concur_are_exact_when_zero_padded() {
        assert_eq!(to_e4(dec("5.00000000")), Some(50_000));
        assert_eq!(to_e4(dec("0.00005")), Some(0));
        assert_eq!(to_e4(dec("0.00015")), Some(2));
    }

    #[test]
    fn too_large_is_refused() {
        assert_eq!(to_e4(dec("99999999999999999999")), None);
    }
}
