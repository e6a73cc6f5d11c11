"""Realistic demo data for a whole sub-district, fast enough for 30,000 households.

Rows are generated in Python from one seeded RNG and written with Core
executemany inserts in a single transaction, so the same seed and end date always
give the same database. UUIDs come from the RNG too, for the same reason.
"""

from __future__ import annotations

import hashlib
import os
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import delete, insert, select

from gridvisit.core.clock import LOCAL_TZ
from gridvisit.core.codes import MASSES, PARTY_MEMBER
from gridvisit.core.enums import (
    EventKind,
    HandlingLevel,
    HouseStatus,
    ProblemStatus,
    Role,
    Satisfaction,
    VisitMethod,
    VisitPurpose,
)
from gridvisit.core.errors import StorageError
from gridvisit.core.rules import problem_due_at, tier_for_groups
from gridvisit.core.validation import id_check_char
from gridvisit.storage.audit import append_audit
from gridvisit.storage.binding import BINDING_KEY
from gridvisit.storage.engine import Database, encrypt_in_place, open_database
from gridvisit.storage.keystore import (
    ARGON2_MEMORY_KIB,
    ARGON2_PARALLELISM,
    ARGON2_TIME,
    KeyStore,
    Slot,
    keys_path,
)
from gridvisit.storage.models import (
    Base,
    BuildingGroup,
    Community,
    Grid,
    Household,
    Problem,
    ProblemEvent,
    Resident,
    Setting,
    SpecialGroup,
    User,
    UserCommunity,
    UserGrid,
    Visit,
    VisitTier,
)

SUBDISTRICT = "同安街道"
_COMMUNITIES = (
    "城东社区 西池社区 三秀社区 大同社区 祥平社区 凤山社区 环城社区 美峰社区 "
    "双溪社区 银湖社区 阳翟社区 丙洲社区 梧侣社区 西湖社区 东溪社区 桂花社区"
).split()
_COMPOUNDS = (
    "锦绣花园 阳光小区 银湖苑 美峰新村 凤山佳园 丽景华庭 金桥名都 丹桂苑 翠苑 书香门第 "
    "和谐家园 海景花城 紫荆园 城南新村 星河湾 东方名城 碧水湾 春晖苑 建发央墅 玉兰苑 "
    "幸福里 怡景苑 龙泉山庄 盛世华府 博雅苑 嘉禾苑 清华园 香樟苑 滨江花园 南山公寓"
).split()
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
_MALE_CHARS = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
_FEMALE_CHARS = "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
_AREA_CODES = (
    "350212",
    "350203",
    "350205",
    "350206",
    "350211",
    "350213",
    "350524",
    "350583",
    "350681",
    "350125",
    "360102",
    "441481",
    "330106",
    "110105",
    "420111",
    "510107",
)
_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "157",
    "158",
    "159",
    "166",
    "176",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "199",
)
_CATEGORY_WEIGHTS = {
    "elevator": 9,
    "leak": 8,
    "garage": 3,
    "parking": 9,
    "sanitation": 12,
    "road": 4,
    "streetlight": 5,
    "drainage": 4,
    "bike_shed": 4,
    "falling_objects": 2,
    "gas": 2,
    "fire": 3,
    "ebike": 5,
    "dispute": 7,
    "relief": 5,
    "elderly_disabled": 6,
    "policy": 8,
    "public_order": 2,
    "other": 4,
}
_DESCRIPTIONS = {
    "elevator": ("{b}栋{u}单元电梯经常停运,老人上下楼困难", "电梯按钮失灵,已报物业未修"),
    "leak": ("楼上卫生间渗水到本户天花板", "外墙渗水,雨天客厅墙面发霉"),
    "garage": ("地下车库照明损坏,夜间行走不安全", "车库入口积水"),
    "parking": ("小区内乱停车堵塞消防通道", "外来车辆占用业主车位"),
    "sanitation": ("楼道堆放杂物长期无人清理", "垃圾分类点清运不及时,异味明显"),
    "road": ("小区主干道路面破损,雨天积水", "人行道地砖松动"),
    "streetlight": ("{b}栋门口路灯不亮", "小区东门路灯损坏多日"),
    "drainage": ("雨水井堵塞,下雨积水", "化粪池外溢"),
    "bike_shed": ("非机动车库充电桩不足", "非机动车库门禁损坏"),
    "falling_objects": ("{b}栋有高空抛物现象", "阳台花盆摆放不牢,存在坠落隐患"),
    "gas": ("居民反映楼道有燃气异味", "燃气软管老化需要更换"),
    "fire": ("楼道消防栓缺水带", "灭火器过期未更换"),
    "ebike": ("电动车在楼道内充电", "电动车飞线充电"),
    "dispute": ("邻里因噪音产生矛盾", "楼上楼下因漏水赔偿发生纠纷"),
    "relief": ("家庭收入下降,咨询低保申请", "因病致贫,申请临时救助"),
    "elderly_disabled": ("独居老人希望提供助餐服务", "申请居家适老化改造"),
    "policy": ("咨询医保缴费政策", "咨询老年人优待证办理"),
    "public_order": ("夜间有陌生人在楼道逗留", "小区门禁形同虚设"),
    "other": ("希望增加小区健身器材", "建议设置快递柜"),
}
_UNITS = (
    "街道城建办",
    "社区居委会",
    "物业服务中心",
    "街道民政办",
    "街道综治中心",
    "社区卫生服务站",
    "供电所",
    "燃气公司",
    "街道城管中队",
    "派出所社区警务室",
)
_VISIT_NOTES = (
    "家中情况稳定,身体状况良好",
    "了解家庭近况,宣传反诈知识",
    "老人独自在家,精神状态较好,叮嘱注意用电安全",
    "宣传垃圾分类和消防安全",
    "询问近期生活困难,暂无诉求",
    "登记家庭成员变动情况",
    "了解子女就学情况",
    "节日慰问,送上慰问品",
    "宣传医保参保政策",
    "住户外出,电话联系确认平安",
)
_WEIGHTED_METHODS = (
    (VisitMethod.IN_PERSON, 70),
    (VisitMethod.PHONE, 20),
    (VisitMethod.VIDEO, 3),
    (VisitMethod.CHANCE, 7),
)
_WEIGHTED_PURPOSES = (
    (VisitPurpose.ROUTINE, 60),
    (VisitPurpose.SIX_SITUATIONS, 12),
    (VisitPurpose.SPECIAL_CARE, 12),
    (VisitPurpose.PROBLEM_FOLLOWUP, 6),
    (VisitPurpose.FESTIVAL, 5),
    (VisitPurpose.POLICY, 5),
)


@dataclass
class DemoStats:
    communities: int = 0
    grids: int = 0
    building_groups: int = 0
    households: int = 0
    residents: int = 0
    users: int = 0
    visits: int = 0
    problems: int = 0
    problem_events: int = 0
    # (username, display name, role label, area) of every demo user, to log in with.
    accounts: tuple[tuple[str, str, str, str], ...] = ()


def _accounts(rows: dict[str, list[dict[str, Any]]]) -> tuple[tuple[str, str, str, str], ...]:
    names = {
        table: {r["id"]: r["name"] for r in rows.get(table, []) if "id" in r}
        for table in ("community", "grid")
    }
    grid_community = {r["id"]: r["community_id"] for r in rows.get("grid", []) if "id" in r}
    area: dict[int, str] = {}
    for link in rows.get("user_community", []):
        area[link["user_id"]] = names["community"].get(link["community_id"], "")
    for link in rows.get("user_grid", []):
        grid = link["grid_id"]
        community = names["community"].get(grid_community.get(grid, -1), "")
        area[link["user_id"]] = f"{community} {names['grid'].get(grid, '')}".strip()
    return tuple(
        (u["username"], u["display_name"], Role(u["role"]).label, area.get(u["id"], "全街道"))
        for u in rows.get("app_user", [])
    )


class _Gen:
    def __init__(self, seed: int, end: date, weeks: int) -> None:
        self.rng = random.Random(seed)
        # Houses (房屋状态, owners, tenants) draw from their own stream, so the people,
        # visits and problems of a seed are what they were before houses were recorded.
        self.house_rng = random.Random(f"house-{seed}")
        self.end = end
        self.start = end - timedelta(weeks=weeks)
        # Everything is "created" before the first visit, at a fixed moment.
        self.created = datetime.combine(self.start - timedelta(days=30), time(9), LOCAL_TZ)
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.ids: dict[str, int] = {}

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def add(self, table: str, **values: Any) -> int:
        new_id = self.ids.get(table, 0) + 1
        self.ids[table] = new_id
        self.rows.setdefault(table, []).append({"id": new_id, **values})
        return new_id

    def sync(self, device: str, by: int | None, at: datetime | None = None) -> dict[str, Any]:
        at = at or self.created
        return {
            "uuid": self.uuid(),
            "created_at": at,
            "updated_at": at,
            "version": 1,
            "origin_device": device,
            "created_by_id": by,
        }

    def weighted(self, pairs: tuple[tuple[Any, int], ...]) -> Any:
        return self.rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]

    def name(self, male: bool, rng: random.Random | None = None) -> str:
        rng = rng or self.rng
        pool = _MALE_CHARS if male else _FEMALE_CHARS
        given = rng.choice(pool)
        if rng.random() < 0.75:
            given += rng.choice(pool)
        return rng.choice(_SURNAMES) + given

    def id_number(self, born: date, male: bool) -> str:
        seq = self.rng.randrange(0, 100) * 10 + (
            self.rng.choice((1, 3, 5, 7, 9)) if male else self.rng.choice((0, 2, 4, 6, 8))
        )
        first17 = f"{self.rng.choice(_AREA_CODES)}{born:%Y%m%d}{seq:03d}"
        return first17 + id_check_char(first17)

    def mobile(self, rng: random.Random | None = None) -> str:
        rng = rng or self.rng
        return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(0, 10**8):08d}"

    def moment(self, day: date) -> datetime:
        """A plausible working-hours moment on a local day, as aware UTC."""
        minutes = self.rng.randrange(8 * 60 + 30, 19 * 60)
        local = datetime.combine(day, time(minutes // 60, minutes % 60), LOCAL_TZ)
        return local.astimezone(UTC)


# Printed by `gridvisit demo`; a demo database holds only invented people.
DEMO_PASSWORD = "gridvisit-demo"


def generate_demo(
    target: str | Path,
    *,
    households: int = 2000,
    seed: int = 1,
    end: date | None = None,
    weeks: int = 52,
    overwrite: bool = False,
    progress: Callable[[str], None] | None = None,
    password: str = DEMO_PASSWORD,
    encrypted: bool = False,
) -> DemoStats:
    """Build a demo sub-district database at `target` and return what it holds. Every
    demo user logs in with `password`; with `encrypted` each also gets a key slot."""
    if households < 1:
        raise StorageError("住户数必须至少为 1。")
    path = Path(target)
    if path.exists():
        if not overwrite:
            raise StorageError(
                f"文件“{path}”已存在,演示数据不会覆盖它。",
                hint="请换一个文件名,或加上 --force 覆盖。",
            )
        if path.is_dir():
            raise StorageError(f"“{path}”是一个文件夹,不能作为数据库文件。")
    # Built beside the target and renamed at the end, so a failed or interrupted run
    # never leaves a half-built database (or destroys the one it was to replace).
    building = path.with_name(f".{path.name}.building")
    _remove_sqlite_files(building)
    say = progress or (lambda _msg: None)
    db = open_database(building, create=True)
    done = False
    try:
        end = end or datetime.now(LOCAL_TZ).date()
        gen = _Gen(seed, end, weeks)
        # The demo "device" comes from the seed too, so every row is reproducible.
        db.device_id = gen.uuid()
        db.set_setting("device_id", db.device_id)
        say("生成社区、网格和住户……")
        _build(gen, db, households)
        # One hash for every demo user, salted from the seed so the file is reproducible.
        salt = hashlib.sha256(f"gridvisit-demo-{seed}".encode()).digest()[:16]
        shared_hash = PasswordHasher(
            time_cost=ARGON2_TIME, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM
        ).hash(password, salt=salt)
        for row in gen.rows.get("app_user", []):
            row["password_hash"] = shared_hash
        say("写入数据库……")
        with db.session() as s:
            conn = s.connection()
            for model in (
                User,
                Community,
                UserCommunity,
                Grid,
                UserGrid,
                BuildingGroup,
                Household,
                Resident,
                Visit,
                Problem,
                ProblemEvent,
            ):
                rows = gen.rows.get(model.__tablename__, [])
                for i in range(0, len(rows), 20_000):
                    conn.execute(
                        insert(Base.metadata.tables[model.__tablename__]), rows[i : i + 20_000]
                    )
            s.merge(Setting(key="subdistrict_name", value=SUBDISTRICT))
            # Built under another name: the first open where the file ends up binds it.
            s.execute(delete(Setting).where(Setting.key == BINDING_KEY))
            append_audit(
                s,
                at=datetime.now(UTC),
                device=db.device_id,
                actor_id=None,
                actor_name="demo",
                action="demo.generate",
                detail={
                    "households": households,
                    "seed": seed,
                    "end": end.isoformat(),
                    "weeks": weeks,
                },
            )
        stats = DemoStats(
            communities=len(gen.rows.get("community", [])),
            grids=len(gen.rows.get("grid", [])),
            building_groups=len(gen.rows.get("building_group", [])),
            households=len(gen.rows.get("household", [])),
            residents=len(gen.rows.get("resident", [])),
            users=len(gen.rows.get("app_user", [])),
            visits=len(gen.rows.get("visit", [])),
            problems=len(gen.rows.get("problem", [])),
            problem_events=len(gen.rows.get("problem_event", [])),
            accounts=_accounts(gen.rows),
        )
        done = True
        return stats
    finally:
        db.dispose()  # closes the last connection: SQLite folds the WAL into the file
        if done and encrypted:
            try:
                say("加密数据库……")
                key = os.urandom(32)
                store = KeyStore(
                    keys_path(building),
                    {
                        row["username"]: Slot.seal(row["username"], password, key)
                        for row in gen.rows.get("app_user", [])
                    },
                )
                encrypt_in_place(building, key, store.save)
            except BaseException:
                done = False
                keys_path(building).unlink(missing_ok=True)
                raise
            finally:
                if not done:
                    _remove_sqlite_files(building)
        if done:
            _remove_sqlite_files(path)
            keys_path(path).unlink(missing_ok=True)
            if encrypted:
                os.replace(keys_path(building), keys_path(path))
            os.replace(building, path)
        else:
            _remove_sqlite_files(building)


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _build(gen: _Gen, db: Database, n_households: int) -> None:
    rng = gen.rng
    device = db.device_id
    with db.read_session() as s:
        group_tier = dict(s.execute(select(SpecialGroup.code, SpecialGroup.tier_code)).all())
        tiers = {
            code: (rank, interval)
            for code, rank, interval in s.execute(
                select(VisitTier.code, VisitTier.rank, VisitTier.interval_days)
            )
        }
    tier_rank = {code: rank for code, (rank, _i) in tiers.items()}

    admin = gen.add(
        "app_user",
        username="admin",
        display_name="街道管理员",
        role=Role.SUBDISTRICT_ADMIN.value,
        phone="",
        active=True,
        **gen.sync(device, None),
    )
    n_communities = max(2, min(len(_COMMUNITIES), round(n_households / 2500)))
    per_community = _split(n_households, n_communities, rng)
    compound_names = iter(_cycle_names(_COMPOUNDS))
    worker_seq = 0
    for ci, community_households in enumerate(per_community):
        cid = gen.add("community", name=_COMMUNITIES[ci], archived=False, **gen.sync(device, admin))
        cadmin = gen.add(
            "app_user",
            username=f"community{ci + 1}",
            display_name=gen.name(rng.random() < 0.4),
            phone=gen.mobile(),
            role=Role.COMMUNITY_ADMIN.value,
            active=True,
            **gen.sync(device, admin),
        )
        gen.add("user_community", user_id=cadmin, community_id=cid)
        n_grids = max(1, round(community_households / 400))
        for grid_households in _split(community_households, n_grids, rng):
            compound = next(compound_names)
            worker_seq += 1
            leader = gen.name(rng.random() < 0.5)
            gid = gen.add(
                "grid",
                community_id=cid,
                name=f"{compound}网格",
                leader_name=leader,
                archived=False,
                **gen.sync(device, admin),
            )
            worker = gen.add(
                "app_user",
                username=f"worker{worker_seq}",
                display_name=gen.name(rng.random() < 0.4),
                phone=gen.mobile(),
                role=Role.GRID_WORKER.value,
                active=True,
                **gen.sync(device, admin),
            )
            gen.add("user_grid", user_id=worker, grid_id=gid)
            _build_grid(gen, device, worker, gid, grid_households, group_tier, tier_rank, tiers)
    # Association tables have composite keys; drop the synthetic ids added by `add`.
    for table in ("user_grid", "user_community"):
        for row in gen.rows.get(table, []):
            row.pop("id", None)


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` split into `parts` positive chunks of similar (not equal) size."""
    parts = max(1, min(parts, total))
    weights = [rng.uniform(0.7, 1.3) for _ in range(parts)]
    scale = total / sum(weights)
    sizes = [max(1, int(w * scale)) for w in weights]
    sizes[-1] += total - sum(sizes)
    while sizes[-1] < 1:  # rounding pushed the last chunk to zero or below
        i = max(range(parts - 1), key=lambda k: sizes[k])
        sizes[i] -= 1
        sizes[-1] += 1
    return sizes


def _cycle_names(names: list[str]) -> Any:
    round_no = 0
    while True:
        round_no += 1
        for name in names:
            yield name if round_no == 1 else f"{name}{round_no}期"


def _build_grid(
    gen: _Gen,
    device: str,
    worker: int,
    gid: int,
    n: int,
    group_tier: dict[str, str],
    tier_rank: dict[str, int],
    tiers: dict[str, tuple[int, int]],
) -> None:
    rng = gen.rng
    building_no = 0
    remaining = n
    while remaining > 0:
        # A building group covers one to three buildings, 60-150 households.
        size = min(remaining, rng.randint(60, 150))
        remaining -= size
        addresses: list[tuple[str, str, str]] = []
        first = building_no + 1
        wanted_buildings = rng.randint(1, 3)
        while len(addresses) < size or building_no - first + 1 < wanted_buildings:
            building_no += 1
            units, floors, per_floor = rng.randint(1, 3), rng.randint(6, 18), rng.randint(2, 4)
            addresses += [
                (str(building_no), str(u), f"{f}{r:02d}")
                for u in range(1, units + 1)
                for f in range(1, floors + 1)
                for r in range(1, per_floor + 1)
            ]
        # Not every flat in a building is registered in this group's list.
        addresses = sorted(rng.sample(addresses, size), key=lambda a: (int(a[0]), a[1], int(a[2])))
        bg = gen.add(
            "building_group",
            grid_id=gid,
            name=f"{first}号楼党小组"
            if building_no == first
            else f"{first}-{building_no}号楼党小组",
            buildings=",".join(str(b) for b in range(first, building_no + 1)),
            leader_name=gen.name(rng.random() < 0.6),
            archived=False,
            **gen.sync(device, worker),
        )
        centre: int | None = None
        for k, (b, unit, room) in enumerate(addresses):
            hid = gen.ids.get("household", 0) + 1
            groups = _build_residents(gen, device, worker, hid)
            tier = tier_for_groups(groups, group_tier, tier_rank)
            is_centre = k % 12 == 0
            gen.add(
                "household",
                building_group_id=bg,
                building=b,
                unit=unit,
                room=room,
                phone="",
                tier_code=tier,
                tier_manual=False,
                is_party_centre=is_centre,
                centre_household_id=None if is_centre else centre,
                **_house(gen),
                notes="",
                archived=False,
                **gen.sync(device, worker),
            )
            if is_centre:
                centre = hid
            _build_visits(gen, device, worker, gid, bg, hid, b, unit, tiers[tier][1])


def _house(gen: _Gen) -> dict[str, Any]:
    """房屋状态 and the owner of a demo house: mostly 自住, one in six 出租."""
    rng = gen.house_rng
    status = rng.choices(
        (HouseStatus.OWNER_OCCUPIED, HouseStatus.RENTED, HouseStatus.COMMERCIAL),
        weights=(80, 17, 3),
    )[0]
    if status is HouseStatus.OWNER_OCCUPIED:  # every row has every key (executemany)
        return dict(
            house_status=status.value,
            owner_name="",
            owner_phone="",
            tenant_count=0,
            rental_registration="",
        )
    return {
        "house_status": status.value,
        "owner_name": gen.name(rng.random() < 0.5, rng),
        "owner_phone": gen.mobile(rng),
        "tenant_count": rng.randint(1, 4) if status is HouseStatus.RENTED else 0,
        "rental_registration": f"ZL{rng.randrange(10**9):09d}"
        if status is HouseStatus.RENTED and rng.random() < 0.7
        else "",
    }


def _build_residents(gen: _Gen, device: str, worker: int, hid: int) -> list[str]:
    rng = gen.rng
    today = gen.end
    head_age = int(rng.triangular(24, 92, 55))
    head_male = rng.random() < 0.62
    size = rng.choices((1, 2, 3, 4, 5), weights=(10, 26, 30, 22, 12))[0]
    if head_age >= 75:
        size = min(size, rng.choice((1, 1, 2, 2, 3)))
    members: list[tuple[str, int, bool]] = [("户主", head_age, head_male)]
    if size >= 2:
        members.append(("配偶", max(20, head_age + rng.randint(-5, 4)), not head_male))
    for _ in range(size - len(members)):
        if head_age < 50 and rng.random() < 0.25:
            members.append(("父母", head_age + rng.randint(22, 32), rng.random() < 0.45))
        else:
            members.append(("子女", max(0, head_age - rng.randint(23, 34)), rng.random() < 0.5))
    groups_all: list[str] = []
    household_poor = rng.random() < 0.02
    household_hardship = rng.random() < 0.015
    for idx, (relation, age, male) in enumerate(members):
        born = today - timedelta(days=age * 365 + rng.randrange(0, 365))
        groups: list[str] = []
        if age >= 65 and size == 1:
            groups.append("living_alone_elderly")
        elif age >= 65 and all(m[1] >= 60 for m in members) and size <= 2:
            groups.append("empty_nest_elderly")
        if age >= 80:
            groups.append("advanced_age")
        if age >= 75 and rng.random() < 0.08:
            groups.append("disabled_care")
        if rng.random() < 0.02:
            groups.append("disability")
        if rng.random() < 0.01:
            groups.append("serious_illness")
        if household_poor:
            groups.append("subsistence")
        if household_hardship:
            groups.append("hardship")
        if age < 16 and rng.random() < 0.01:
            groups.append("children_in_distress")
        if male and 30 <= age <= 75 and rng.random() < 0.03:
            groups.append("veteran")
        groups_all.extend(groups)
        gen.add(
            "resident",
            household_id=hid,
            name=gen.name(male),
            gender="M" if male else "F",
            id_number=gen.id_number(born, male) if rng.random() < 0.97 else "",
            birth_date=born,
            phone=gen.mobile() if age >= 16 and rng.random() < 0.85 else "",
            relation=relation,
            is_head=idx == 0,
            is_party_member=(party := age >= 18 and rng.random() < 0.07),
            political_status=PARTY_MEMBER if party else MASSES,
            special_groups=groups,
            notes="",
            archived=False,
            **gen.sync(device, worker),
        )
    return groups_all


def _build_visits(
    gen: _Gen,
    device: str,
    worker: int,
    gid: int,
    bg: int,
    hid: int,
    building: str,
    unit: str,
    interval: int,
) -> None:
    rng = gen.rng
    # About one household in ten has fallen behind its schedule lately.
    lagging = rng.random() < 0.10
    day = gen.start + timedelta(days=rng.randrange(0, max(1, interval)))
    stop = gen.end - timedelta(days=int(interval * rng.uniform(1.2, 2.5))) if lagging else gen.end
    while day <= stop:
        if day.weekday() == 6 and rng.random() < 0.7:  # few visits on Sundays
            day += timedelta(days=1)
            continue
        at = gen.moment(day)
        method = gen.weighted(_WEIGHTED_METHODS)
        purpose = gen.weighted(_WEIGHTED_PURPOSES)
        vid = gen.add(
            "visit",
            household_id=hid,
            worker_id=worker,
            visited_at=at,
            method=method.value,
            purpose=purpose.value,
            notes=rng.choice(_VISIT_NOTES),
            present_resident_uuids=[],
            **gen.sync(device, worker, at),
        )
        if rng.random() < 0.045:
            _build_problem(gen, device, worker, gid, bg, hid, vid, at, building, unit)
        day += timedelta(days=max(1, round(interval * rng.uniform(0.85, 1.05))))


def _build_problem(
    gen: _Gen,
    device: str,
    worker: int,
    gid: int,
    bg: int,
    hid: int,
    vid: int,
    at: datetime,
    building: str,
    unit: str,
) -> None:
    rng = gen.rng
    category = rng.choices(list(_CATEGORY_WEIGHTS), weights=list(_CATEGORY_WEIGHTS.values()))[0]
    urgency, limit = rng.choices(
        (("urgent", 0), ("pressing", 3), ("normal", 15)), weights=(10, 30, 60)
    )[0]
    level = rng.choices(list(HandlingLevel), weights=(70, 25, 5))[0]
    due = problem_due_at(at, limit)
    now = datetime.combine(gen.end, time(18), LOCAL_TZ).astimezone(UTC)
    age_days = (now - at).days
    # Older problems are mostly closed; recent ones still open; some run late.
    r = rng.random()
    if age_days > 30:
        final = (
            ProblemStatus.CLOSED
            if r < 0.85
            else ProblemStatus.RESOLVED
            if r < 0.93
            else ProblemStatus.IN_PROGRESS
        )
    elif age_days > 7:
        final = (
            ProblemStatus.CLOSED
            if r < 0.45
            else ProblemStatus.RESOLVED
            if r < 0.65
            else ProblemStatus.IN_PROGRESS
            if r < 0.92
            else ProblemStatus.PENDING
        )
    else:
        final = (
            ProblemStatus.PENDING
            if r < 0.4
            else ProblemStatus.IN_PROGRESS
            if r < 0.8
            else ProblemStatus.RESOLVED
        )
    description = rng.choice(_DESCRIPTIONS[category]).format(b=building, u=unit or "1")
    pid = gen.ids.get("problem", 0) + 1
    events: list[dict[str, Any]] = []

    def event(
        kind: EventKind, when: datetime, frm: ProblemStatus | None, to: ProblemStatus, **extra: Any
    ) -> None:
        events.append(
            dict(
                problem_id=pid,
                kind=kind.value,
                at=when,
                actor_id=worker,
                from_status=frm.value if frm else "",
                to_status=to.value,
                from_level=level.value if frm else "",
                to_level=level.value,
                note=extra.pop("note", ""),
                assigned_unit=extra.pop("unit", ""),
                assigned_person=extra.pop("person", ""),
                satisfaction=extra.pop("satisfaction", ""),
                **gen.sync(device, worker, when),
            )
        )

    t = at
    event(EventKind.CREATED, t, None, ProblemStatus.PENDING, note=description[:200])
    unit_name = person = resolution = satisfaction = ""
    resolved_at = closed_at = None

    def step(hours: float) -> datetime:
        return min(now, t + timedelta(hours=hours))

    if final is not ProblemStatus.PENDING:
        t = step(rng.uniform(1, 30))
        unit_name, person = rng.choice(_UNITS), gen.name(rng.random() < 0.6)
        event(
            EventKind.ACCEPTED,
            t,
            ProblemStatus.PENDING,
            ProblemStatus.IN_PROGRESS,
            unit=unit_name,
            person=person,
        )
        if rng.random() < 0.5:
            t = step(rng.uniform(4, 72))
            event(
                EventKind.PROGRESS,
                t,
                ProblemStatus.IN_PROGRESS,
                ProblemStatus.IN_PROGRESS,
                note="已现场查看,正在协调处理",
            )
    if final in (ProblemStatus.RESOLVED, ProblemStatus.CLOSED):
        # Most are handled within their time limit; some late.
        span = (due - at).total_seconds() / 3600
        t = step(rng.uniform(2, span * (0.9 if rng.random() < 0.85 else 1.6)))
        resolution = "已协调责任单位处理完毕"
        resolved_at = t
        event(
            EventKind.RESOLVED,
            t,
            ProblemStatus.IN_PROGRESS,
            ProblemStatus.RESOLVED,
            note=resolution,
        )
    if final is ProblemStatus.CLOSED:
        t = step(rng.uniform(24, 96))
        satisfaction = rng.choices(
            (Satisfaction.SATISFIED, Satisfaction.BASICALLY), weights=(80, 20)
        )[0].value
        closed_at = t
        event(
            EventKind.RETURN_VISIT,
            t,
            ProblemStatus.RESOLVED,
            ProblemStatus.CLOSED,
            satisfaction=satisfaction,
            note="回访居民,问题已解决",
        )
    gen.add(
        "problem",
        grid_id=gid,
        building_group_id=bg,
        household_id=hid,
        visit_id=vid,
        resident_id=None,
        location="",
        category_code=category,
        description=description,
        urgency_code=urgency,
        level=level.value,
        status=final.value,
        reported_at=at,
        due_at=due,
        assigned_unit=unit_name,
        assigned_person=person,
        resolution=resolution,
        resolved_at=resolved_at,
        satisfaction=satisfaction,
        closed_at=closed_at,
        **gen.sync(device, worker, at) | {"updated_at": t, "version": len(events)},
    )
    for e in events:
        gen.add("problem_event", **e)
