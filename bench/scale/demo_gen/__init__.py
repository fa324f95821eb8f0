"""The generator the scale benchmark builds its 100k synthetic achievements with: the text
building blocks and spec builder the catalog demo was once written in. The demo itself is
data now (demo/catalog/*.csv, loaded through the importer); this code only feeds bench/."""
