//! badge-quick: what the shell functions run for a switch, a Tab and the
//! prompt's and the folder's questions. It answers those with badge's own
//! code but without the picker, the network and clap, so it is a fraction
//! of badge's size and starts in fewer page faults; any other command line
//! it hands to the badge beside it (`cmd::entry`).

fn main() -> std::process::ExitCode {
    badge::quick()
}
