"""Fictional directive documents for the desk tests (written for these tests, not copied from anywhere):
a 2015 directive, a 2023 directive that replaces it and cites a regulation absent from the collection,
and a letter that shares its number with seed 002 but comes from another city."""

from __future__ import annotations

import shutil
from pathlib import Path

OLD_DIRECTIVE = "chi_thi_05_2015.txt"
NEW_DIRECTIVE = "chi_thi_12_2023.txt"
OTHER_517 = "cong_van_517_hai_duong.txt"

DOCS = {
    OLD_DIRECTIVE: """TỈNH ỦY BÌNH AN
*
Số 05-CT/TU

CHỈ THỊ
về tăng cường công tác cán bộ nữ trong tình hình mới

ĐẢNG CỘNG SẢN VIỆT NAM

Bình An, ngày 10 tháng 3 năm 2015

1. Các cấp ủy đảng quan tâm quy hoạch, đào tạo cán bộ nữ, bảo đảm tỷ lệ cán bộ nữ trong cấp ủy các cấp không dưới 15%.

2. Ban Tổ chức Tỉnh ủy theo dõi, đôn đốc việc thực hiện Chỉ thị này, định kỳ báo cáo Ban Thường vụ Tỉnh ủy.

T/M BAN THƯỜNG VỤ
BÍ THƯ

Trần Văn Bình
""",
    NEW_DIRECTIVE: """TỈNH ỦY BÌNH AN
*
Số 12-CT/TU

CHỈ THỊ
về công tác cán bộ nữ giai đoạn 2023 - 2030

ĐẢNG CỘNG SẢN VIỆT NAM

Bình An, ngày 05 tháng 6 năm 2023

1. Các cấp ủy đảng phấn đấu tỷ lệ cán bộ nữ tham gia cấp ủy đạt từ 20% trở lên, theo Quy định số 99-QĐ/TU ngày 02/02/2022 của Ban Thường vụ Tỉnh ủy về tiêu chuẩn cán bộ.

2. Chỉ thị này có hiệu lực kể từ ngày ký và thay thế Chỉ thị số 05-CT/TU ngày 10/3/2015 của Ban Thường vụ Tỉnh ủy về tăng cường công tác cán bộ nữ trong tình hình mới.

T/M BAN THƯỜNG VỤ
BÍ THƯ

Lê Thị Hoa
""",
    OTHER_517: """THÀNH ỦY HẢI DƯƠNG
*
Số 517-CV/TU

V/v tổ chức hội nghị cán bộ nữ toàn thành phố

ĐẢNG CỘNG SẢN VIỆT NAM

Hải Dương, ngày 15 tháng 8 năm 2021

Kính gửi: Các đảng bộ trực thuộc Thành ủy.

1. Tổ chức hội nghị cán bộ nữ toàn thành phố trong quý IV năm 2021.

T/M BAN THƯỜNG VỤ
PHÓ BÍ THƯ

Đỗ Minh Khang
""",
}


def write_desk_corpus(folder: Path, seeds: Path | None = None) -> Path:
    """The fictional documents (and the seed files of `seeds`, when given) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    if seeds is not None:
        for f in sorted(seeds.iterdir()):
            if f.is_file():
                shutil.copy(f, folder / f.name)
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
