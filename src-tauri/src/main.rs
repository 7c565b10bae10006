//! `caiji-station`: the desktop station.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    caiji_app::run()
}
