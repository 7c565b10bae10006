//! The JPEG marker reader and comment splicer on arbitrary bytes: errors, never panics.
#![no_main]

use caiji_photo::jpeg;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(info) = jpeg::read_markers(data) {
        let _ = (info.estimated_quality(), info.dpi(), info.progressive());
    }
    if let Ok(out) = jpeg::insert_comment(data, b"CJSEAL1.00000000.x") {
        // A splice into a well-formed prefix must read back with the comment.
        if jpeg::read_markers(data).is_ok() {
            assert!(jpeg::read_markers(&out).is_ok_and(|i| i.comments.iter().any(|c| c == b"CJSEAL1.00000000.x")));
        }
    }
});
