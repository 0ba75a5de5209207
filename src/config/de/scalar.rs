//! YAML core-schema typing of plain scalars: `~` is null, `true` a bool, `4` an integer,
//! `2.5` a float, anything else (and every quoted or block scalar) a string.

use super::super::yaml::{is_null_text, ScalarStyle};

/// What a plain scalar means in YAML's core schema.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Resolved<'a> {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(&'a str),
}

/// Types a scalar: quoted and block scalars are strings, plain ones follow the core schema.
pub fn resolve(text: &str, style: ScalarStyle) -> Resolved<'_> {
    if style != ScalarStyle::Plain {
        return Resolved::Str(text);
    }
    if is_null_text(text) {
        return Resolved::Null;
    }
    match text {
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        _ => {}
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let radix = [("0x", 16), ("0o", 8)]
        .iter()
        .find_map(|(prefix, radix)| Some((digits.strip_prefix(prefix)?, *radix)));
    let int = match radix {
        Some((body, radix)) if !negative => u64::from_str_radix(body, radix).ok(),
        Some(_) => None,
        None if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            digits.parse::<u64>().ok()
        }
        None => None,
    };
    match int {
        Some(n) if !negative => return Resolved::UInt(n),
        Some(n) if n <= i64::MAX as u64 + 1 => return Resolved::Int((n as i64).wrapping_neg()),
        _ => {}
    }
    let float_like = digits.bytes().any(|b| b.is_ascii_digit())
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && !digits.starts_with(['e', 'E']);
    match text.parse::<f64>() {
        Ok(value) if float_like => Resolved::Float(value),
        _ => Resolved::Str(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_are_typed_like_yaml() {
        let cases: &[(&str, Resolved)] = &[
            ("", Resolved::Null),
            ("~", Resolved::Null),
            ("null", Resolved::Null),
            ("true", Resolved::Bool(true)),
            ("FALSE", Resolved::Bool(false)),
            ("4", Resolved::UInt(4)),
            ("+4", Resolved::UInt(4)),
            ("-4", Resolved::Int(-4)),
            ("0x1f", Resolved::UInt(31)),
            ("0o17", Resolved::UInt(15)),
            ("2.5", Resolved::Float(2.5)),
            ("1e3", Resolved::Float(1000.0)),
            ("-.inf", Resolved::Float(f64::NEG_INFINITY)),
            ("yes", Resolved::Str("yes")),
            ("1.2.3", Resolved::Str("1.2.3")),
            ("e5", Resolved::Str("e5")),
            ("0x", Resolved::Str("0x")),
            ("127.0.0.1:8080", Resolved::Str("127.0.0.1:8080")),
            ("99999999999999999999", Resolved::Float(1e20)),
        ];
        for (text, expected) in cases {
            assert_eq!(resolve(text, ScalarStyle::Plain), *expected, "{text}");
        }
        assert_eq!(resolve("4", ScalarStyle::Quoted), Resolved::Str("4"));
        assert_eq!(resolve("", ScalarStyle::Block), Resolved::Str(""));
        assert!(matches!(resolve(".nan", ScalarStyle::Plain), Resolved::Float(f) if f.is_nan()));
    }
}
