//! Check characters of the two national identifiers a profile carries.
//! GB 11643-1999 (citizen identification number) and GB 32100-2015 (unified social credit code).

/// Returns the GB 11643 check character for the first 17 digits, or `None` when they are
/// not 17 ASCII digits.
pub fn resident_id_check_char(first17: &str) -> Option<char> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    Some(CHECK[(sum % 11) as usize] as char)
}

/// Whether an 18-character resident ID (upper-case `X`) has the right check character.
pub fn resident_id_is_valid(id: &str) -> bool {
    id.len() == 18
        && id.is_char_boundary(17)
        && resident_id_check_char(&id[..17]) == id[17..].chars().next()
}

const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Each byte's place in the alphabet; `u8::MAX` for a byte outside it.
const USCC_VALUES: [u8; 256] = {
    let mut values = [u8::MAX; 256];
    let mut i = 0;
    while i < USCC_ALPHABET.len() {
        values[USCC_ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    values
};

/// A credit-code byte's value (its place in the alphabet). Every byte of a character
/// outside ASCII is outside the alphabet.
fn uscc_value(b: u8) -> Option<u32> {
    match USCC_VALUES[usize::from(b)] {
        u8::MAX => None,
        v => Some(u32::from(v)),
    }
}

/// The check byte for 17 bytes of the alphabet.
fn uscc_check_byte(first17: &[u8]) -> Option<u8> {
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (&b, w) in first17.iter().zip(WEIGHTS) {
        sum += uscc_value(b)? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(USCC_ALPHABET[check as usize])
}

/// Returns the GB 32100 check character for the first 17 characters, or `None` when a
/// character is outside the code's alphabet (upper case only).
pub fn uscc_check_char(first17: &str) -> Option<char> {
    uscc_check_byte(first17.as_bytes()).map(char::from)
}

/// Whether an 18-character credit code (upper case) has only alphabet characters and the
/// right check character.
pub fn uscc_is_valid(code: &str) -> bool {
    match code.as_bytes() {
        [first17 @ .., last] if first17.len() == 17 => {
            uscc_value(*last).is_some() && uscc_check_byte(first17) == Some(*last)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_ids_with_known_check_characters() {
        // The standard's own worked example and two computed by hand.
        assert!(resident_id_is_valid("11010519491231002X"));
        assert!(resident_id_is_valid("440524188001010014"));
        assert!(resident_id_is_valid("32068219880315001X"));
        assert_eq!(resident_id_check_char("32068219880315001"), Some('X'));
    }

    #[test]
    fn resident_ids_with_a_wrong_check_character_or_shape_are_refused() {
        assert!(!resident_id_is_valid("110105194912310021"));
        assert!(!resident_id_is_valid("11010519491231002x")); // lower case is folded before this
        assert!(!resident_id_is_valid("440524188001010015"));
        assert!(!resident_id_is_valid("4405241880010100"));
        assert!(!resident_id_is_valid("44052418800101001A"));
        assert!(!resident_id_is_valid("4405241880010100１4"));
        assert_eq!(resident_id_check_char("1101051949123100A"), None);
    }

    #[test]
    fn credit_codes_with_known_check_characters() {
        assert!(uscc_is_valid("91350100M000100Y43"));
        assert!(uscc_is_valid("91320691MA1MXXXXXN"));
        assert_eq!(uscc_check_char("91320691MA1MXXXXX"), Some('N'));
    }

    #[test]
    fn credit_codes_with_a_wrong_check_character_or_alphabet_are_refused() {
        assert!(!uscc_is_valid("91350100M000100Y44"));
        assert!(!uscc_is_valid("91320691MA1MXXXXXX"));
        // I, O, S, V and Z are not in the alphabet.
        assert!(!uscc_is_valid("91320691MA1MIXXXXN"));
        assert!(!uscc_is_valid("91320691MA1MXXXX"));
        assert!(!uscc_is_valid("91320691ma1mxxxxxn"));
        assert!(!uscc_is_valid("91320691MA1MXXXXX中"));
        assert!(!uscc_is_valid("91320691MA1MXXX中N"));
        assert_eq!(uscc_check_char("91320691MA1MXXX中"), None);
    }
}
