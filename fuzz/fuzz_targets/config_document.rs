#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| badge::fuzz_targets::config_document(data));
