//! The shell's tests: the generated TypeScript contract is current, and every command answers
//! through Tauri's real IPC (mock runtime, no display) on a real station over the demo camera.

mod bindings;
mod commands;
