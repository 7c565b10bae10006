//! The station's settings, kept as TOML in the data directory (`settings.toml`), changed from the
//! settings page at runtime. `CAIJI_CAMERA` overrides the camera for one run without saving it.

use crate::Language;
use caiji_spec::Message;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file in the data directory.
pub const SETTINGS_FILE: &str = "settings.toml";

/// Overrides the camera setting for one run (`auto`, `demo`, `usb:N`, `video:FILE`, `folder:DIR`).
pub const CAMERA_ENV: &str = "CAIJI_CAMERA";

/// What a school sets once per station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Settings {
    /// `auto`, `demo`, `usb:N`, `video:FILE` or `folder:DIR`.
    pub camera: String,
    /// The camera mode ("1920×1080 MJPEG 30 fps"); `None` lets the station choose.
    pub camera_mode: Option<String>,
    /// This station's name, recorded on every shot and sent with every upload.
    pub station: String,
    /// The room it stands in.
    pub room: String,
    /// The school's intake server; empty starts a collector on this machine (a demo, or a
    /// station that hands its photos over later).
    pub intake_url: String,
    /// The station's token at the intake server.
    pub token: String,
    /// A PEM certificate to trust for an `https://` intake server (the school's CA, or the
    /// collector's own certificate); empty: the system's roots only.
    pub intake_ca: String,
    /// The station key file; empty: `station.key` in the data directory.
    pub key_file: String,
    /// The UI language.
    pub language: Language,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            camera: "auto".into(),
            camera_mode: None,
            station: "station-1".into(),
            room: String::new(),
            intake_url: String::new(),
            token: String::new(),
            intake_ca: String::new(),
            key_file: String::new(),
            language: Language::ZhCn,
        }
    }
}

impl Settings {
    /// The settings in `data` (defaults when there is no file yet).
    pub fn load(data: &Path) -> Result<Settings, Message> {
        let path = data.join(SETTINGS_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| {
                Message::new(
                    format!("设置文件有误 {}：{e}", path.display()),
                    format!("the settings file {} is invalid: {e}", path.display()),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(Message::new(
                format!("无法读取设置 {}：{e}", path.display()),
                format!("cannot read the settings {}: {e}", path.display()),
            )),
        }
    }

    /// Check every field; the first problem, in words.
    pub fn validate(&self) -> Result<(), Message> {
        crate::Source::parse(&self.camera)?;
        caiji_protocol::check_station_name(self.station.trim())?;
        caiji_protocol::check_room_name(self.room.trim())?;
        let url = self.intake_url.trim();
        if !url.is_empty() {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(Message::new(
                    "上传地址应以 http:// 或 https:// 开头",
                    "the intake URL must start with http:// or https://",
                ));
            }
            if self.token.trim().is_empty() {
                return Err(Message::new(
                    "填写了上传地址时必须填写令牌",
                    "a token is required with an intake URL",
                ));
            }
        }
        Ok(())
    }

    /// Write atomically (temp file, fsync, rename): a crash leaves the old or the new file.
    pub fn save(&self, data: &Path) -> Result<(), Message> {
        let io = |e: std::io::Error| {
            Message::new(
                format!("无法保存设置 {}：{e}", data.display()),
                format!("cannot save the settings in {}: {e}", data.display()),
            )
        };
        std::fs::create_dir_all(data).map_err(io)?;
        let text = toml::to_string_pretty(self).map_err(Message::untranslated)?;
        let tmp = data.join(format!("{SETTINGS_FILE}.tmp"));
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp).map_err(io)?;
            f.write_all(text.as_bytes()).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, data.join(SETTINGS_FILE)).map_err(io)
    }

    /// The key file this station seals with.
    pub fn key_path(&self, data: &Path) -> PathBuf {
        if self.key_file.trim().is_empty() {
            data.join("station.key")
        } else {
            PathBuf::from(self.key_file.trim())
        }
    }

    /// The frame rate asked of the camera, from the chosen mode ("… 30 fps").
    pub fn frame_rate(&self) -> Option<u32> {
        let mode = self.camera_mode.as_deref()?;
        let words: Vec<&str> = mode.split_whitespace().collect();
        let at = words.iter().position(|w| w.eq_ignore_ascii_case("fps"))?;
        words.get(at.checked_sub(1)?)?.parse().ok()
    }

    /// The frame size asked of the camera, from the chosen mode ("1920×1080 …" or "1920x1080 …").
    pub fn frame_size(&self) -> Option<(u32, u32)> {
        let mode = self.camera_mode.as_deref()?;
        let size = mode.split_whitespace().next()?;
        let (w, h) = size.split_once(['×', 'x'])?;
        Some((w.parse().ok()?, h.parse().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_room_is_free_text_but_never_a_formula_or_markup() {
        let with_room = |room: &str| Settings {
            room: room.into(),
            camera: "demo".into(),
            ..Settings::default()
        };
        assert!(with_room("演示 / demo").validate().is_ok());
        assert!(with_room("体育馆 A").validate().is_ok());
        let e = with_room("=HYPERLINK(1)").validate().unwrap_err();
        assert!(e.zh.contains("考场"), "{}", e.zh);
        assert!(with_room("<b>").validate().is_err());
    }
}
