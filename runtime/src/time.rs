//! Timestamps in the three Smithy wire formats, and an injectable clock.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// An instant in UTC with nanosecond precision, as S3 sends and receives them.
///
/// The default is the Unix epoch, the value Smithy's error correction gives a missing timestamp.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    secs: i64,
    nanos: u32,
}

/// A timestamp string that is not in the expected format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeParseError {
    format: Format,
    input: String,
}

impl fmt::Display for DateTimeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a valid {} timestamp",
            self.input,
            self.format.name()
        )
    }
}

impl std::error::Error for DateTimeParseError {}

/// The timestamp formats of Smithy's `timestampFormat` trait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RFC 3339 `2019-12-16T23:48:18Z`, the XML body default.
    DateTime,
    /// IMF-fixdate `Mon, 16 Dec 2019 23:48:18 GMT`, the HTTP header default.
    HttpDate,
    /// Seconds since the Unix epoch, with optional fraction: `1576540098.52`.
    EpochSeconds,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::DateTime => "date-time",
            Format::HttpDate => "http-date",
            Format::EpochSeconds => "epoch-seconds",
        }
    }
}

const DAY_NAMES: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl DateTime {
    /// The instant `secs` seconds and `nanos` nanoseconds after the Unix epoch.
    ///
    /// `nanos` above 999 999 999 carry into `secs`.
    pub fn from_secs_and_nanos(secs: i64, nanos: u32) -> Self {
        Self {
            secs: secs + i64::from(nanos / 1_000_000_000),
            nanos: nanos % 1_000_000_000,
        }
    }

    /// The instant `secs` whole seconds after the Unix epoch.
    pub fn from_secs(secs: i64) -> Self {
        Self { secs, nanos: 0 }
    }

    /// Whole seconds since the Unix epoch (rounded down).
    pub fn secs(&self) -> i64 {
        self.secs
    }

    /// The nanoseconds past [`secs`](Self::secs).
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Parses `input` in `format`.
    pub fn parse(input: &str, format: Format) -> Result<Self, DateTimeParseError> {
        let parsed = match format {
            Format::DateTime => parse_date_time(input),
            Format::HttpDate => parse_http_date(input),
            Format::EpochSeconds => parse_epoch_seconds(input),
        };
        parsed.ok_or_else(|| DateTimeParseError {
            format,
            input: input.chars().take(64).collect(),
        })
    }

    /// Formats the instant in `format`.
    pub fn format(&self, format: Format) -> String {
        let mut out = String::with_capacity(32);
        self.write(format, &mut out);
        out
    }

    /// Appends the instant in `format` to `out`.
    pub fn write(&self, format: Format, out: &mut String) {
        use fmt::Write;
        let days = self.secs.div_euclid(86_400);
        let secs_of_day = self.secs.rem_euclid(86_400);
        let (hour, minute, second) = (secs_of_day / 3600, secs_of_day / 60 % 60, secs_of_day % 60);
        let (year, month, day) = civil_from_days(days);
        // Writing to a String cannot fail.
        let _ = match format {
            Format::DateTime => {
                let _ = write!(
                    out,
                    "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}"
                );
                if self.nanos != 0 {
                    let frac = format!("{:09}", self.nanos);
                    let _ = write!(out, ".{}", frac.trim_end_matches('0'));
                }
                out.write_char('Z')
            }
            Format::HttpDate => write!(
                out,
                "{}, {day:02} {} {year:04} {hour:02}:{minute:02}:{second:02} GMT",
                DAY_NAMES[days.rem_euclid(7) as usize],
                MONTH_NAMES[month as usize - 1],
            ),
            Format::EpochSeconds => {
                let _ = write!(out, "{}", self.secs);
                if self.nanos != 0 {
                    let frac = format!("{:09}", self.nanos);
                    let _ = write!(out, ".{}", frac.trim_end_matches('0'));
                }
                Ok(())
            }
        };
    }

    /// The SigV4 `x-amz-date` form, `20150830T123600Z`.
    pub fn fmt_amz_date(&self, out: &mut String) {
        use fmt::Write;
        let days = self.secs.div_euclid(86_400);
        let secs_of_day = self.secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let _ = write!(
            out,
            "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
            secs_of_day / 3600,
            secs_of_day / 60 % 60,
            secs_of_day % 60
        );
    }
}

impl From<SystemTime> for DateTime {
    fn from(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(d) => Self::from_secs_and_nanos(d.as_secs() as i64, d.subsec_nanos()),
            Err(e) => {
                let d = e.duration();
                let (secs, nanos) = (d.as_secs() as i64, d.subsec_nanos());
                if nanos == 0 {
                    Self::from_secs(-secs)
                } else {
                    Self::from_secs_and_nanos(-secs - 1, 1_000_000_000 - nanos)
                }
            }
        }
    }
}

impl From<DateTime> for SystemTime {
    fn from(time: DateTime) -> Self {
        if time.secs >= 0 {
            UNIX_EPOCH + Duration::new(time.secs as u64, time.nanos)
        } else {
            UNIX_EPOCH - Duration::from_secs(time.secs.unsigned_abs())
                + Duration::from_nanos(u64::from(time.nanos))
        }
    }
}

impl fmt::Display for DateTime {
    /// RFC 3339, as in XML bodies.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(Format::DateTime))
    }
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// (year, month, day) to days since 1970-01-01, after Howard Hinnant's `days_from_civil`.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The form S3 writes, `2006-02-03T16:45:09.000Z`, read at fixed positions; `None` for anything
/// else, which [`parse_date_time`] reads the general way.
fn parse_s3_date_time(input: &[u8]) -> Option<DateTime> {
    const FORM: &[u8; 24] = b"0000-00-00T00:00:00.000Z";
    const HIGH: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    let input: &[u8; 24] = input.try_into().ok()?;
    // Eight bytes at a time: XOR with the form leaves a digit's value in its byte, and zero
    // where a separator matches. Any other byte has its high nibble set, or reaches it by
    // adding 6 (`:` to `?` give 10 to 15).
    let mut values = [0u8; 24];
    for ((word, form), out) in input
        .chunks_exact(8)
        .zip(FORM.chunks_exact(8))
        .zip(values.chunks_exact_mut(8))
    {
        let word = u64::from_le_bytes(word.try_into().ok()?);
        let form = u64::from_le_bytes(form.try_into().ok()?);
        let x = word ^ form;
        let separators = u64::from_le_bytes(form.to_le_bytes().map(|b| (b != b'0') as u8 * 0xff));
        if x & separators != 0 || x & HIGH != 0 || x.wrapping_add(0x0606_0606_0606_0606) & HIGH != 0
        {
            return None;
        }
        out.copy_from_slice(&x.to_le_bytes());
    }
    let number = |digits: &[u8]| digits.iter().fold(0u32, |n, &d| n * 10 + u32::from(d));
    from_civil(
        number(&values[0..4]).into(),
        number(&values[5..7]),
        number(&values[8..10]),
        number(&values[11..13]),
        number(&values[14..16]),
        number(&values[17..19]),
        number(&values[20..23]) * 1_000_000,
    )
}

/// A cursor over ASCII digits and separators.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let (head, tail) = self.0.split_at_checked(n)?;
        let mut value = 0u32;
        for &b in head {
            if !b.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u32::from(b - b'0');
        }
        self.0 = tail;
        Some(value)
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        let (&first, tail) = self.0.split_first()?;
        (first == byte).then(|| self.0 = tail)
    }

    fn peek(&self) -> Option<u8> {
        self.0.first().copied()
    }

    /// Fractional digits after a `.`: nanoseconds, extra digits truncated.
    fn fraction(&mut self) -> Option<u32> {
        if self.eat(b'.').is_none() {
            return Some(0);
        }
        let len = self.0.iter().take_while(|b| b.is_ascii_digit()).count();
        if len == 0 {
            return None;
        }
        let mut nanos = 0u32;
        for i in 0..9 {
            nanos = nanos * 10
                + self
                    .0
                    .get(i)
                    .filter(|_| i < len)
                    .map_or(0, |b| u32::from(b - b'0'));
        }
        self.0 = &self.0[len..];
        Some(nanos)
    }
}

fn from_civil(
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
) -> Option<DateTime> {
    let valid = (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
        && hour < 24
        && minute < 60
        // 60 is a leap second, which we fold into the next second like other SDKs.
        && second <= 60;
    valid.then(|| {
        let secs = days_from_civil(year, month, day) * 86_400
            + i64::from(hour * 3600 + minute * 60 + second);
        DateTime::from_secs_and_nanos(secs, nanos)
    })
}

fn parse_date_time(input: &str) -> Option<DateTime> {
    if let Some(t) = parse_s3_date_time(input.as_bytes()) {
        return Some(t);
    }
    let mut c = Cursor(input.as_bytes());
    let year = c.digits(4)?;
    c.eat(b'-')?;
    let month = c.digits(2)?;
    c.eat(b'-')?;
    let day = c.digits(2)?;
    match c.peek()? {
        b'T' | b't' => c.0 = &c.0[1..],
        _ => return None,
    }
    let hour = c.digits(2)?;
    c.eat(b':')?;
    let minute = c.digits(2)?;
    c.eat(b':')?;
    let second = c.digits(2)?;
    let nanos = c.fraction()?;
    let offset = match c.peek()? {
        b'Z' | b'z' => {
            c.0 = &c.0[1..];
            0
        }
        sign @ (b'+' | b'-') => {
            c.0 = &c.0[1..];
            let hours = c.digits(2)?;
            c.eat(b':')?;
            let minutes = c.digits(2)?;
            let offset = i64::from(hours * 3600 + minutes * 60);
            if sign == b'+' {
                offset
            } else {
                -offset
            }
        }
        _ => return None,
    };
    if !c.0.is_empty() {
        return None;
    }
    let local = from_civil(year.into(), month, day, hour, minute, second, nanos)?;
    Some(DateTime::from_secs_and_nanos(
        local.secs - offset,
        local.nanos,
    ))
}

fn parse_http_date(input: &str) -> Option<DateTime> {
    // IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
    let rest = input.get(3..)?;
    if !DAY_NAMES.contains(&&input[..3]) {
        return None;
    }
    let mut c = Cursor(rest.as_bytes());
    c.eat(b',')?;
    c.eat(b' ')?;
    let day = c.digits(2)?;
    c.eat(b' ')?;
    let month_name = std::str::from_utf8(c.0.get(..3)?).ok()?;
    let month = MONTH_NAMES.iter().position(|m| *m == month_name)? as u32 + 1;
    c.0 = &c.0[3..];
    c.eat(b' ')?;
    let year = c.digits(4)?;
    c.eat(b' ')?;
    let hour = c.digits(2)?;
    c.eat(b':')?;
    let minute = c.digits(2)?;
    c.eat(b':')?;
    let second = c.digits(2)?;
    let nanos = c.fraction()?;
    if c.0 != b" GMT" {
        return None;
    }
    from_civil(year.into(), month, day, hour, minute, second, nanos)
}

fn parse_epoch_seconds(input: &str) -> Option<DateTime> {
    let (negative, unsigned) = match input.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, input),
    };
    let int_len = unsigned.bytes().take_while(u8::is_ascii_digit).count();
    if int_len == 0 || int_len > 18 {
        return None;
    }
    let secs: i64 = unsigned[..int_len].parse().ok()?;
    let mut c = Cursor(&unsigned.as_bytes()[int_len..]);
    let nanos = c.fraction()?;
    if !c.0.is_empty() {
        return None;
    }
    Some(match (negative, nanos) {
        (false, _) => DateTime::from_secs_and_nanos(secs, nanos),
        (true, 0) => DateTime::from_secs(-secs),
        (true, _) => DateTime::from_secs_and_nanos(-secs - 1, 1_000_000_000 - nanos),
    })
}

/// A source of the current time; tests inject their own to control expiry, skew and backoff.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock shared between the client's components.
pub type SharedClock = Arc<dyn Clock>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_format() {
        let t = DateTime::from_secs_and_nanos(1_576_540_098, 520_000_000);
        assert_eq!(t.format(Format::DateTime), "2019-12-16T23:48:18.52Z");
        assert_eq!(t.format(Format::EpochSeconds), "1576540098.52");
        assert_eq!(
            DateTime::from_secs(1_576_540_098).format(Format::HttpDate),
            "Mon, 16 Dec 2019 23:48:18 GMT"
        );
        for format in [Format::DateTime, Format::EpochSeconds] {
            assert_eq!(DateTime::parse(&t.format(format), format), Ok(t));
        }
        let whole = DateTime::from_secs(1_576_540_098);
        assert_eq!(
            DateTime::parse(&whole.format(Format::HttpDate), Format::HttpDate),
            Ok(whole)
        );
    }

    #[test]
    fn parses_what_s3_sends() {
        let t = DateTime::parse("2019-10-12T17:50:30.000Z", Format::DateTime).unwrap();
        assert_eq!(t, DateTime::from_secs(1_570_902_630));
        let offset = DateTime::parse("2019-10-12T19:50:30+02:00", Format::DateTime).unwrap();
        assert_eq!(offset, t);
        let http = DateTime::parse("Sat, 12 Oct 2019 17:50:30 GMT", Format::HttpDate).unwrap();
        assert_eq!(http, t);
        let mut amz = String::new();
        t.fmt_amz_date(&mut amz);
        assert_eq!(amz, "20191012T175030Z");
    }

    #[test]
    fn rejects_malformed_input() {
        for bad in [
            "",
            "2019-13-12T17:50:30Z",
            "2019-02-30T17:50:30Z",
            "2019-10-12 17:50:30Z",
            "2019-10-12T17:50:30",
            "2019-10-12T17:50:30.Z",
            "2019-10-12T17:50:30Zjunk",
            "2019-10-12T17:5é:30Z",
        ] {
            assert!(DateTime::parse(bad, Format::DateTime).is_err(), "{bad}");
        }
        for bad in [
            "",
            "Sat, 12 Oct 2019 17:50:30",
            "Xyz, 12 Oct 2019 17:50:30 GMT",
            "Sat",
        ] {
            assert!(DateTime::parse(bad, Format::HttpDate).is_err(), "{bad}");
        }
        for bad in ["", "-", "1.", "1e5", "99999999999999999999", "١٢"] {
            assert!(DateTime::parse(bad, Format::EpochSeconds).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_fixed_form_agrees_with_the_general_parser() {
        // The same instant with an offset of `+00:00` takes the general way.
        let general = |input: &str| parse_date_time(&format!("{}+00:00", &input[..23]));
        for input in [
            "2006-02-03T16:45:09.000Z",
            "1970-01-01T00:00:00.000Z",
            "1969-12-31T23:59:59.999Z",
            "2024-02-29T12:00:00.123Z",
            "2019-12-31T23:59:60.000Z",
            "9999-12-31T23:59:59.999Z",
            "0000-01-01T00:00:00.000Z",
        ] {
            let fast = parse_s3_date_time(input.as_bytes());
            assert!(fast.is_some(), "{input}");
            assert_eq!(fast, general(input), "{input}");
        }
        // Not the fixed form, or not a valid instant: left to the general parser, which decides.
        for input in [
            "2006-02-03T16:45:09.00Z",
            "2006-02-03T16:45:09.0000Z",
            "2006-02-03t16:45:09.000Z",
            "2006-02-03T16:45:09.000z",
            "2006-02-03T16:45:09,000Z",
            "2006-02-30T16:45:09.000Z",
            "2006-13-03T16:45:09.000Z",
            "2006-02-03T24:45:09.000Z",
            "2006-02-03T16:60:09.000Z",
            "2006-02-03T16:45:61.000Z",
            "2006-02-03T16:45:09.00xZ",
            "+006-02-03T16:45:09.000Z",
            "2006-0x-03T16:45:09.000Z",
            "2006-02-03T16:45:0:.000Z",
            "200?-02-03T16:45:09.000Z",
            "2006-02-03T16:45:09.00/Z",
            "2006-02-03T16:45:09.000\u{0}",
            "2006-02-03T16:4\u{3}:09.000Z",
        ] {
            assert_eq!(parse_s3_date_time(input.as_bytes()), None, "{input}");
        }
        assert_eq!(
            DateTime::parse("2006-02-03t16:45:09.000z", Format::DateTime),
            DateTime::parse("2006-02-03T16:45:09.000Z", Format::DateTime)
        );
    }

    #[test]
    fn handles_times_before_the_epoch() {
        let t = DateTime::parse("1969-12-31T23:59:59.5Z", Format::DateTime).unwrap();
        assert_eq!((t.secs(), t.subsec_nanos()), (-1, 500_000_000));
        assert_eq!(DateTime::parse("-0.5", Format::EpochSeconds), Ok(t));
        assert_eq!(DateTime::from(SystemTime::from(t)), t);
    }
}
