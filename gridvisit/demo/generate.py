"""Realistic demo data for a whole sub-district, fast enough for 30,000 households.

Rows are generated in Python from one seeded RNG and written with Core
executemany inserts in a single transaction, so the same seed and end date always
give the same database. UUIDs come from the RNG too, for the same reason.
"""

from __future__ import annotations

import hashlib
import os
import random
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Connection, Table, delete, insert, select

from gridvisit.core.clock import LOCAL_TZ
from gridvisit.core.enums import (
    EventKind,
    HandlingLevel,
    ProblemStatus,
    Role,
    Satisfaction,
    VisitMethod,
    VisitPurpose,
)
from gridvisit.core.errors import StorageError
from gridvisit.core.rules import problem_due_at, tier_for_groups, transition
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
from gridvisit.storage.types import UTCDateTime

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


_UUID_V4 = (0x4 << 76) | (0x8 << 60)  # the version and variant bits of a UUID4
_UUID_KEEP = ~((0xF << 76) | (0xC << 60)) & ((1 << 128) - 1)


@dataclass(frozen=True, slots=True)
class _Weighted:
    population: tuple[Any, ...]
    cum: tuple[float, ...]
    total: float

    @classmethod
    def of(cls, pairs: tuple[tuple[Any, int], ...]) -> _Weighted:
        cum = tuple(float(c) for c in accumulate(p[1] for p in pairs))
        return cls(tuple(p[0] for p in pairs), cum, cum[-1])


_METHODS = _Weighted.of(_WEIGHTED_METHODS)
_PURPOSES = _Weighted.of(_WEIGHTED_PURPOSES)


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
        self.end = end
        self.start = end - timedelta(weeks=weeks)
        # Everything is "created" before the first visit, at a fixed moment.
        self.created = datetime.combine(self.start - timedelta(days=30), time(9), LOCAL_TZ)
        # Problems are handled up to the end of the last day's work (the last visit is
        # before 19:00): what would come later has not happened yet.
        self.cutoff = datetime.combine(end, time(19), LOCAL_TZ).astimezone(UTC)
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.midnights: dict[date, datetime] = {}
        self.ids: dict[str, int] = {}

    def uuid(self) -> str:
        # str(uuid.UUID(int=..., version=4)), without the object: a third of the time.
        h = f"{self.rng.getrandbits(128) & _UUID_KEEP | _UUID_V4:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

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

    def pick(self, choices: _Weighted) -> Any:
        """`weighted` with the sums made once: the same pick from the same draw."""
        return choices.population[bisect(choices.cum, self.rng.random() * choices.total)]

    def name(self, male: bool) -> str:
        pool = _MALE_CHARS if male else _FEMALE_CHARS
        given = self.rng.choice(pool)
        if self.rng.random() < 0.75:
            given += self.rng.choice(pool)
        return self.rng.choice(_SURNAMES) + given

    def id_number(self, born: date, male: bool) -> str:
        seq = self.rng.randrange(0, 100) * 10 + (
            self.rng.choice((1, 3, 5, 7, 9)) if male else self.rng.choice((0, 2, 4, 6, 8))
        )
        first17 = f"{self.rng.choice(_AREA_CODES)}{born:%Y%m%d}{seq:03d}"
        return first17 + id_check_char(first17)

    def mobile(self) -> str:
        return self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(0, 10**8):08d}"

    def moment(self, day: date) -> datetime:
        """A plausible working-hours moment on a local day, as aware UTC."""
        minutes = self.rng.randrange(8 * 60 + 30, 19 * 60)
        midnight = self.midnights.get(day)
        if midnight is None:
            midnight = datetime.combine(day, time(0), LOCAL_TZ).astimezone(UTC)
            self.midnights[day] = midnight
        return midnight + timedelta(minutes=minutes)


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
                _insert(
                    conn,
                    Base.metadata.tables[model.__tablename__],
                    gen.rows.get(model.__tablename__, []),
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


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows`, as `conn.execute(insert(table), rows)` would store them.

    On SQLite, rows that all set the same columns, none left to a default, go
    straight to the driver with their values converted once here: SQLAlchemy's
    per-row parameter handling was a third of the 30k demo's time."""
    if not rows:
        return
    keys = list(rows[0])
    columns = [table.columns[k] for k in keys]
    plain = (
        conn.dialect.name == "sqlite"
        and all(c.key in rows[0] or c.default is None for c in table.columns)
        and all(len(row) == len(keys) and row.keys() == rows[0].keys() for row in rows)
    )
    if not plain:
        for i in range(0, len(rows), 20_000):
            conn.execute(insert(table), rows[i : i + 20_000])
        return
    convert = [
        _utc_text if isinstance(c.type, UTCDateTime) else c.type.bind_processor(conn.dialect)
        for c in columns
    ]
    names = ", ".join(f'"{c.name}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
    # By key, not by position: rows may list the same keys in another order.
    pairs = list(zip(keys, convert, strict=True))
    for i in range(0, len(rows), 20_000):  # a chunk at a time: the rows are held already
        chunk = rows[i : i + 20_000]
        values = [tuple(row[k] if f is None else f(row[k]) for k, f in pairs) for row in chunk]
        conn.exec_driver_sql(sql, values)


def _utc_text(value: datetime | None) -> str | None:
    """A UTCDateTime value as SQLite stores it: naive UTC text with microseconds."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


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
    # Two or three grids (so their workers) lag behind the others, visiting late and
    # resolving late more often, so that the statistics' red marks point at someone;
    # the rest keep up, each a little differently (one lags in a small demo).
    n_grids_total = sum(_grids_for(n) for n in per_community)
    n_lagging = (
        0 if n_grids_total < 3 else 1 if n_grids_total < 6 else 2 if n_grids_total < 24 else 3
    )
    lagging = set(rng.sample(range(n_grids_total), n_lagging))
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
        for grid_households in _split(community_households, _grids_for(community_households), rng):
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
            pace = _LAGGING if worker_seq - 1 in lagging else _steady(rng)
            crew = _Crew(gid, worker, cadmin, admin, pace)
            _build_grid(gen, device, crew, grid_households, group_tier, tier_rank, tiers)
    # Association tables have composite keys; drop the synthetic ids added by `add`.
    for table in ("user_grid", "user_community"):
        for row in gen.rows.get(table, []):
            row.pop("id", None)


def _grids_for(community_households: int) -> int:
    return max(1, round(community_households / 400))


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
    crew: _Crew,
    n: int,
    group_tier: dict[str, str],
    tier_rank: dict[str, int],
    tiers: dict[str, tuple[int, int]],
) -> None:
    rng = gen.rng
    worker, gid = crew.worker, crew.grid
    span = (gen.end - gen.start).days
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
            first_resident = len(gen.rows.get("resident", []))
            groups = _build_residents(gen, device, worker, hid)
            tier = tier_for_groups(groups, group_tier, tier_rank)
            interval = tiers[tier][1]
            # Each household is registered at its first visit, in the first round of
            # visits (one interval long), so none waits unvisited since before the window.
            day = gen.start + timedelta(days=rng.randrange(0, max(1, min(interval, span))))
            if day.weekday() == 6 and day < gen.end:
                day += timedelta(days=1)
            first_visit = gen.moment(day)
            registered = first_visit - timedelta(minutes=rng.randint(5, 40))
            for row in gen.rows["resident"][first_resident:]:
                row["created_at"] = row["updated_at"] = registered
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
                notes="",
                archived=False,
                **gen.sync(device, worker, registered),
            )
            if is_centre:
                centre = hid
            _build_visits(gen, device, crew, bg, hid, b, unit, interval, day, first_visit)


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
            is_party_member=age >= 18 and rng.random() < 0.07,
            special_groups=groups,
            notes="",
            archived=False,
            **gen.sync(device, worker),
        )
    return groups_all


def _build_visits(
    gen: _Gen,
    device: str,
    crew: _Crew,
    bg: int,
    hid: int,
    building: str,
    unit: str,
    interval: int,
    day: date,
    at: datetime,
) -> None:
    """Visits from the first one on: mostly a little before the due date, now and
    then late (more often, and later, in a lagging grid)."""
    rng = gen.rng
    worker, pace = crew.worker, crew.pace
    end = gen.end
    while True:
        method = gen.pick(_METHODS)
        purpose = gen.pick(_PURPOSES)
        vid = gen.add(
            "visit",
            household_id=hid,
            worker_id=worker,
            visited_at=at,
            method=method.value,
            purpose=purpose.value,
            notes=rng.choice(_VISIT_NOTES),
            present_resident_uuids=[],
            archived=False,
            **gen.sync(device, worker, at),
        )
        if rng.random() < 0.045:
            _build_problem(gen, device, crew, bg, hid, vid, at, building, unit)
        if rng.random() < pace.visit_late:
            gap = interval + rng.randint(*pace.late_days)
        else:
            gap = max(1, round(interval * rng.uniform(0.8, 1.0)))
        day += timedelta(days=gap)
        if day.weekday() == 6 and rng.random() < 0.7:  # few visits on Sundays
            day -= timedelta(days=1)
        if day > end:
            return
        at = gen.moment(day)


@dataclass(frozen=True, slots=True)
class _Pace:
    """How a grid's worker keeps up with the visits and the problems."""

    visit_late: float  # chance that the next visit comes after its due date
    late_days: tuple[int, int]  # how many days late it comes then
    on_time: float  # chance that a problem is resolved within its time limit
    late_mean_days: float  # how late the others are, on average
    stuck: float  # chance that a problem drags on for months
    dissatisfied: float  # chance that a return visit finds the resident dissatisfied
    escalate: float  # chance that a problem goes up to the community


_LAGGING = _Pace(
    visit_late=0.09,
    late_days=(3, 24),
    on_time=0.68,
    late_mean_days=12.0,
    stuck=0.05,
    dissatisfied=0.10,
    escalate=0.08,
)


def _steady(rng: random.Random) -> _Pace:
    """A grid that keeps up, each a little differently."""
    return _Pace(
        visit_late=rng.uniform(0.02, 0.04),
        late_days=(1, 8),
        on_time=rng.uniform(0.89, 0.95),
        late_mean_days=6.0,
        stuck=0.004,
        dissatisfied=rng.uniform(0.03, 0.06),
        escalate=rng.uniform(0.04, 0.07),
    )


@dataclass(frozen=True, slots=True)
class _Crew:
    """Who handles a grid's problems at each level, and at what pace."""

    grid: int
    worker: int
    community_admin: int
    admin: int
    pace: _Pace


_UNITS_AT = {
    HandlingLevel.GRID: _UNITS,
    HandlingLevel.COMMUNITY: ("社区居委会", "物业服务中心", "社区卫生服务站", "派出所社区警务室"),
    HandlingLevel.SUBDISTRICT: (
        "街道城建办",
        "街道民政办",
        "街道综治中心",
        "街道城管中队",
        "供电所",
        "燃气公司",
    ),
}
_ESCALATION_REASONS = {
    HandlingLevel.GRID: "超出网格处置能力,上报社区协调",
    HandlingLevel.COMMUNITY: "涉及多个部门,上报街道协调解决",
}
_PROGRESS_NOTES = (
    "已现场查看,正在协调处理",
    "已联系责任单位,约定上门处理",
    "责任单位已进场施工",
    "涉及维修资金,正在走申请程序",
    "已电话告知居民办理进度",
)
_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)
# One planned step of a problem's handling: the action, when, and its note or the
# resident's satisfaction for a return visit.
_Step = tuple[EventKind, datetime, str | Satisfaction]


def _plan_problem(
    rng: random.Random, pace: _Pace, at: datetime, due: datetime, limit: int
) -> list[_Step]:
    """The handling of one problem as it would go if nothing stopped it: accepted,
    sometimes escalated, resolved (mostly within the limit), return-visited, now and
    then sent back by a dissatisfied resident or reopened."""
    urgent = limit == 0
    # Accepted within hours; an ordinary one now and then waits a day or three.
    wait = rng.uniform(0.3, 2) if urgent else rng.uniform(1, 24)
    if limit > 3 and rng.random() < 0.15:
        wait += rng.uniform(24, 72)
    t = at + _HOUR * wait
    steps: list[_Step] = [(EventKind.ACCEPTED, t, "")]
    ups = 0
    if rng.random() < pace.escalate:
        ups = 2 if rng.random() < 0.3 else 1
    for level in (HandlingLevel.GRID, HandlingLevel.COMMUNITY)[:ups]:
        t += _HOUR * rng.uniform(1, 3 if urgent else 48)
        steps.append((EventKind.ESCALATED, t, _ESCALATION_REASONS[level]))
        t += _HOUR * rng.uniform(0.5, 2 if urgent else 24)
        steps.append((EventKind.ACCEPTED, t, ""))
    on_time = rng.random() < pace.on_time * (0.85 if ups else 1.0)
    if rng.random() < pace.stuck:  # drags on for months
        resolved = max(due, t) + _DAY * rng.uniform(45, 300)
    elif on_time and due - t > _HOUR:
        resolved = t + (due - t) * rng.uniform(0.2, 0.95)
    else:
        resolved = max(due, t) + _DAY * rng.expovariate(1 / pace.late_mean_days) + _HOUR
    # Progress notes while it takes long: one in the middle, or every ten days or so.
    gap = resolved - t
    if gap > 2 * _DAY and rng.random() < 0.6:
        n = max(1, min(8, gap // (10 * _DAY)))
        for k in range(n):
            steps.append((EventKind.PROGRESS, t + gap * ((k + rng.random()) / n), ""))
    steps.append((EventKind.RESOLVED, resolved, ""))
    t = resolved + _HOUR * rng.uniform(4, 72)
    if rng.random() < pace.dissatisfied:
        steps.append((EventKind.RETURN_VISIT, t, Satisfaction.DISSATISFIED))
        t += _DAY * rng.uniform(0.5, 2)
        steps.append((EventKind.PROGRESS, t, "根据居民意见重新处理"))
        t += _DAY * rng.uniform(1, 7)
        steps.append((EventKind.RESOLVED, t, ""))
        t += _HOUR * rng.uniform(4, 72)
    steps.append((EventKind.RETURN_VISIT, t, _content(rng)))
    if rng.random() < 0.02:  # the problem came back after it was closed
        t += _DAY * rng.uniform(5, 60)
        steps.append((EventKind.REOPENED, t, "问题再次出现,居民再次反映"))
        t += _DAY * rng.uniform(1, 7)
        steps.append((EventKind.RESOLVED, t, ""))
        t += _HOUR * rng.uniform(4, 72)
        steps.append((EventKind.RETURN_VISIT, t, _content(rng)))
    return steps


def _content(rng: random.Random) -> Satisfaction:
    return Satisfaction.SATISFIED if rng.random() < 0.78 else Satisfaction.BASICALLY


def _build_problem(
    gen: _Gen,
    device: str,
    crew: _Crew,
    bg: int,
    hid: int,
    vid: int,
    at: datetime,
    building: str,
    unit: str,
) -> None:
    """One problem found on a visit, handled step by step through the app's workflow
    rules (core/rules.py `transition`) up to the end of the demo's last day."""
    rng = gen.rng
    category = rng.choices(list(_CATEGORY_WEIGHTS), weights=list(_CATEGORY_WEIGHTS.values()))[0]
    urgency, limit = rng.choices(
        (("urgent", 0), ("pressing", 3), ("normal", 15)), weights=(10, 30, 60)
    )[0]
    due = problem_due_at(at, limit)
    description = rng.choice(_DESCRIPTIONS[category]).format(b=building, u=unit or "1")
    pid = gen.ids.get("problem", 0) + 1
    actors = {
        HandlingLevel.GRID: crew.worker,
        HandlingLevel.COMMUNITY: crew.community_admin,
        HandlingLevel.SUBDISTRICT: crew.admin,
    }
    worker = crew.worker
    status, level = ProblemStatus.PENDING, HandlingLevel.GRID
    fields: dict[str, Any] = dict(
        assigned_unit="",
        assigned_person="",
        resolution="",
        resolved_at=None,
        satisfaction="",
        closed_at=None,
    )
    events = [
        dict(
            problem_id=pid,
            kind=EventKind.CREATED.value,
            at=at,
            actor_id=worker,
            from_status="",
            to_status=status.value,
            from_level="",
            to_level=level.value,
            note=description[:200],
            assigned_unit="",
            assigned_person="",
            satisfaction="",
            **gen.sync(device, worker, at),
        )
    ]
    t = at
    for kind, when, extra in _plan_problem(rng, crew.pace, at, due, limit):
        if when >= gen.cutoff:
            break
        satisfaction = extra if isinstance(extra, Satisfaction) else None
        note = extra if isinstance(extra, str) else ""
        step = transition(status, level, kind, satisfaction)
        actor = worker if kind is EventKind.RETURN_VISIT else actors[level]
        unit_name = person = ""
        # The problem's own fields change as ProblemService._act changes them.
        if kind is EventKind.ACCEPTED:
            unit_name, person = rng.choice(_UNITS_AT[level]), gen.name(rng.random() < 0.6)
            fields["assigned_unit"], fields["assigned_person"] = unit_name, person
        elif kind is EventKind.PROGRESS:
            note = note or rng.choice(_PROGRESS_NOTES)
        elif kind is EventKind.ESCALATED:
            fields["assigned_unit"] = fields["assigned_person"] = ""
        elif kind is EventKind.RESOLVED:
            note = "已协调责任单位处理完毕"
            fields["resolution"], fields["resolved_at"] = note, when
        elif kind is EventKind.RETURN_VISIT:
            assert satisfaction is not None
            fields["satisfaction"] = satisfaction.value
            if step.to_status is ProblemStatus.CLOSED:
                note = "回访居民,问题已解决"
                fields["closed_at"] = when
            else:
                note = "居民对处理结果不满意,要求重新处理"
        if kind is EventKind.REOPENED or (
            kind is EventKind.RETURN_VISIT and step.to_status is ProblemStatus.IN_PROGRESS
        ):
            fields["closed_at"] = fields["resolved_at"] = None
        events.append(
            dict(
                problem_id=pid,
                kind=kind.value,
                at=when,
                actor_id=actor,
                from_status=status.value,
                to_status=step.to_status.value,
                from_level=level.value,
                to_level=step.to_level.value,
                note=note,
                assigned_unit=unit_name,
                assigned_person=person,
                satisfaction=satisfaction.value if satisfaction else "",
                **gen.sync(device, actor, when),
            )
        )
        status, level, t = step.to_status, step.to_level, when
    gen.add(
        "problem",
        grid_id=crew.grid,
        building_group_id=bg,
        household_id=hid,
        visit_id=vid,
        resident_id=None,
        location="",
        category_code=category,
        description=description,
        urgency_code=urgency,
        level=level.value,
        status=status.value,
        reported_at=at,
        due_at=due,
        **fields,
        **gen.sync(device, worker, at) | {"updated_at": t, "version": len(events)},
    )
    for e in events:
        gen.add("problem_event", **e)
