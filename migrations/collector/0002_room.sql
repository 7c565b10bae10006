-- The room each photo was taken in (from the station's x-caiji-room header), so one supervisor
-- can follow every room's pace from the read API. Empty for photos from before the header.
ALTER TABLE received ADD COLUMN room TEXT NOT NULL DEFAULT '';
