#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    deployspec_fuzz::edits(data);
});
