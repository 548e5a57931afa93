//! The SDK's return codes (from the comment block of Tencent's public header
//! `WeWorkFinanceSdk_C.h`) and what the capture does about each. Pure: no I/O.

/// What a non-zero return code asks of the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeClass {
    /// Try the same call again after a backoff: network, response parsing, system errors.
    Transient,
    /// A key problem for one message: it cannot be decrypted with the keys at hand. The
    /// encrypted envelope goes to the dead-letter topic with the reason, and an alert fires.
    Key,
    /// A media file id the server does not know (one message's media, not the stream).
    FileId,
    /// The server no longer holds the data (Tencent keeps about five days): a gap.
    Expired,
    /// Nothing will change by retrying: this host's IP is not on the allow list, the
    /// certificate is wrong, or the request itself is invalid. Stop with a clear message.
    Fatal,
}

/// Classifies a non-zero return code. Codes outside the documented table are treated as
/// transient: a later library version may add codes, and a retry with backoff (visible in
/// the metrics) is safer than stopping or skipping data.
pub fn classify(code: i32) -> CodeClass {
    match code {
        10001..=10003 => CodeClass::Transient,
        10004 | 10006..=10008 => CodeClass::Key,
        10005 => CodeClass::FileId,
        10010 => CodeClass::Expired,
        10000 | 10009 | 10011 => CodeClass::Fatal,
        _ => CodeClass::Transient,
    }
}

/// What the code means and what to do, in words for logs and dead letters.
pub fn describe(code: i32) -> &'static str {
    match code {
        10000 => "invalid request parameters (corp id, secret, limit above 1000?)",
        10001 => "network error reaching the WeCom archive servers (proxy, DNS, firewall)",
        10002 => "the server's answer could not be parsed",
        10003 => "system error inside the SDK",
        10004 => "key error while encrypting (wrong public key registered in the admin console?)",
        10005 => "unknown sdkfileid (media id)",
        10006 => "decryption failed (random key and message do not match)",
        10007 => "no private key for the message's publickey_ver: install that key version",
        10008 => "encrypt_key could not be parsed",
        10009 => "this host's IP is not on the archive's allow list (admin console: trusted IPs)",
        10010 => "data expired on the WeCom servers (kept about five days)",
        10011 => "certificate error (system CA certificates, TLS-intercepting proxy?)",
        _ => "undocumented SDK return code",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_has_a_class_and_a_description() {
        let expect = [
            (10000, CodeClass::Fatal),
            (10001, CodeClass::Transient),
            (10002, CodeClass::Transient),
            (10003, CodeClass::Transient),
            (10004, CodeClass::Key),
            (10005, CodeClass::FileId),
            (10006, CodeClass::Key),
            (10007, CodeClass::Key),
            (10008, CodeClass::Key),
            (10009, CodeClass::Fatal),
            (10010, CodeClass::Expired),
            (10011, CodeClass::Fatal),
        ];
        for (code, class) in expect {
            assert_eq!(classify(code), class, "code {code}");
            assert_ne!(describe(code), describe(-1), "code {code}");
        }
        assert_eq!(classify(-1), CodeClass::Transient);
        assert_eq!(classify(42), CodeClass::Transient);
    }
}
