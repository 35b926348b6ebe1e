//! The default policy is built into the library (`include_dir!` of `../../policy`): a change
//! to any file there must rebuild it.
fn main() {
    println!("cargo::rerun-if-changed=../../policy");
}
