<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>ActionGroup</name>
    <message>
        <source>Please wait</source>
        <translation>请稍候</translation>
    </message>
    <message>
        <source>The database check and today's backup are still running (a few seconds). Try again when the note in the status bar is gone.</source>
        <translation>正在检查数据库并做今天的备份(只需几秒)。状态栏的提示消失后再试。</translation>
    </message>
    <message>
        <source>Not possible</source>
        <translation>无法操作</translation>
    </message>
</context>
<context>
    <name>AreaDialog</name>
    <message>
        <source>Area of the computer</source>
        <translation>电脑的负责范围</translation>
    </message>
    <message>
        <source>Tick the grids this computer works in. Tick a whole community only for a community computer: it may then also add grids there. Packages from this computer may change records of these grids only.</source>
        <translation>勾选这台电脑负责的网格。只有社区电脑才勾选整个社区:它还可以在该社区里新建网格。这台电脑的数据包只能改动这些网格里的记录。</translation>
    </message>
    <message>
        <source>{name} (whole community)</source>
        <translation>{name}(整个社区)</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Tick at least one grid or community.</source>
        <translation>请至少勾选一个网格或社区。</translation>
    </message>
</context>
<context>
    <name>AuditDialog</name>
    <message>
        <source>Audit log</source>
        <translation>操作日志</translation>
    </message>
    <message>
        <source>All users</source>
        <translation>全部用户</translation>
    </message>
    <message>
        <source>Action, e.g. 登录 or 查看完整号码</source>
        <translation>操作,例如 登录、查看完整号码</translation>
    </message>
    <message>
        <source>This computer</source>
        <translation>本机</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>筛选</translation>
    </message>
    <message>
        <source>Verify integrity</source>
        <translation>校验完整性</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Date from</source>
        <translation>日期从</translation>
    </message>
    <message>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <source>{n} entries</source>
        <translation>共 {n} 条</translation>
    </message>
    <message>
        <source>The audit log is intact: {n} entries, hash chain complete.</source>
        <translation>操作日志完好:共 {n} 条,哈希链完整。</translation>
    </message>
    <message>
        <source>The audit log was changed outside the program: {n} problem(s).</source>
        <translation>操作日志在程序之外被改动过:发现 {n} 处问题。</translation>
    </message>
</context>
<context>
    <name>BackupActions</name>
    <message>
        <source>&amp;Backups…</source>
        <translation>备份与恢复(&amp;B)…</translation>
    </message>
</context>
<context>
    <name>BackupDialog</name>
    <message>
        <source>Backups</source>
        <translation>备份与恢复</translation>
    </message>
    <message>
        <source>The database is backed up automatically on the first start of each day, before an upgrade and before every merge. Backups are kept in:
{folder}</source>
        <translation>每天第一次打开、程序升级前和每次合并数据包前,都会自动备份数据库。备份保存在:
{folder}</translation>
    </message>
    <message>
        <source>Taken at</source>
        <translation>备份时间</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Encrypted</source>
        <translation>加密</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>No backups yet.</source>
        <translation>还没有备份。</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Keep one backup a day for the last</source>
        <translation>保留最近</translation>
    </message>
    <message>
        <source>days and one a week for the last</source>
        <translation>天每天一份,最近</translation>
    </message>
    <message>
        <source>weeks.</source>
        <translation>周每周一份。</translation>
    </message>
    <message>
        <source>Back up now</source>
        <translation>立即备份</translation>
    </message>
    <message>
        <source>Restore selected backup…</source>
        <translation>从所选备份恢复…</translation>
    </message>
    <message>
        <source>Open backup folder</source>
        <translation>打开备份文件夹</translation>
    </message>
    <message>
        <source>Restoring a backup and changing how many are kept is done by a community or sub-district admin.</source>
        <translation>恢复备份和修改保留份数须由社区或街道管理员办理。</translation>
    </message>
    <message>
        <source>Backed up to {file} ({size}).</source>
        <translation>已备份到 {file}({size})。</translation>
    </message>
    <message>
        <source>Restore backup</source>
        <translation>从备份恢复</translation>
    </message>
    <message>
        <source>Restore the backup taken at {when} ({kind})?

Everything saved after that moment will be gone from the database; the current file is kept in the backup folder. The window closes, and you log in again with the password you had then.</source>
        <translation>要恢复 {when} 的备份({kind})吗?

这之后保存的记录都会从数据库中消失;当前的文件会移到备份文件夹里保留。窗口将关闭,然后请用当时的密码重新登录。</translation>
    </message>
    <message>
        <source>Your password (as it was in that backup):</source>
        <translation>您的密码(做这份备份时的密码):</translation>
    </message>
</context>
<context>
    <name>BuildingActions</name>
    <message>
        <source>Building chart</source>
        <translation>楼栋图</translation>
    </message>
    <message>
        <source>Sweep list</source>
        <translation>走访清单</translation>
    </message>
    <message>
        <source>Household card</source>
        <translation>一户一档</translation>
    </message>
</context>
<context>
    <name>BuildingsPage</name>
    <message>
        <source>Colour by &amp;house status</source>
        <translation>按房屋状态着色(&amp;H)</translation>
    </message>
    <message>
        <source>Colour by &amp;visit this period</source>
        <translation>按本期走访着色(&amp;V)</translation>
    </message>
    <message>
        <source>Print &amp;chart…</source>
        <translation>打印楼栋图(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Sweep list…</source>
        <translation>走访清单(&amp;S)…</translation>
    </message>
    <message>
        <source>Household c&amp;ard…</source>
        <translation>一户一档(&amp;A)…</translation>
    </message>
    <message>
        <source>Choose a building group (楼栋党小组) in the tree on the left.</source>
        <translation>请在左侧的树里选择一个楼栋党小组。</translation>
    </message>
    <message>
        <source>  {n} households · visited {v} · due this week {d} · overdue {o}</source>
        <translation>  {n} 户 · 本期已访 {v} · 本周应访 {d} · 超期 {o}</translation>
    </message>
    <message>
        <source>visited this period</source>
        <translation>本期已访</translation>
    </message>
    <message>
        <source>due this week</source>
        <translation>本周应访</translation>
    </message>
    <message>
        <source>overdue</source>
        <translation>超期未访</translation>
    </message>
    <message>
        <source>not recorded</source>
        <translation>未登记</translation>
    </message>
    <message>
        <source>no household</source>
        <translation>未登记住户</translation>
    </message>
    <message>
        <source>&lt;b style='color:#b71c1c'&gt;★&lt;/b&gt; party member &amp;nbsp; &lt;b style='color:#4a148c'&gt;●&lt;/b&gt; special group &amp;nbsp; &lt;b style='color:#c62828'&gt;!&lt;/b&gt; visit overdue &amp;nbsp; &lt;span style='background:#c62828;color:white'&gt;&amp;nbsp;2&amp;nbsp;&lt;/span&gt; open problems</source>
        <translation>&lt;b style='color:#b71c1c'&gt;★&lt;/b&gt; 党员 &amp;nbsp; &lt;b style='color:#4a148c'&gt;●&lt;/b&gt; 重点人群 &amp;nbsp; &lt;b style='color:#c62828'&gt;!&lt;/b&gt; 走访超期 &amp;nbsp; &lt;span style='background:#c62828;color:white'&gt;&amp;nbsp;2&amp;nbsp;&lt;/span&gt; 未销号问题</translation>
    </message>
</context>
<context>
    <name>CalendarActions</name>
    <message>
        <source>&amp;Holiday schedule…</source>
        <translation>节假日安排(&amp;H)…</translation>
    </message>
    <message>
        <source>Holiday schedule of {year} saved.</source>
        <translation>已保存 {year} 年的节假日安排。</translation>
    </message>
</context>
<context>
    <name>CalendarDialog</name>
    <message>
        <source>Holiday schedule</source>
        <translation>节假日安排</translation>
    </message>
    <message>
        <source>Time limits count working days: holidays are off, weekend days made into working days (调休) are worked. Built in: {first}–{last}. Entered here: {entered}.</source>
        <translation>办理时限按工作日计算:节假日不计,调休上班的周末计入。程序自带:{first}–{last} 年;本库录入:{entered}。</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>e.g. 2027-01-01, 2027-02-06..2027-02-12 (one or more per line)</source>
        <translation>例如 2027-01-01, 2027-02-06..2027-02-12(每行一个或多个)</translation>
    </message>
    <message>
        <source>&amp;Year</source>
        <translation>年份(&amp;Y)</translation>
    </message>
    <message>
        <source>&amp;Holidays (days off)</source>
        <translation>放假日期(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Working weekends (调休)</source>
        <translation>调休上班日(&amp;W)</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <source>Change password</source>
        <translation>修改密码</translation>
    </message>
    <message>
        <source>Current password:</source>
        <translation>原密码:</translation>
    </message>
    <message>
        <source>New password (8+ characters):</source>
        <translation>新密码(至少 8 个字符):</translation>
    </message>
    <message>
        <source>New password again:</source>
        <translation>再输一次新密码:</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>修改</translation>
    </message>
    <message>
        <source>The two new passwords differ.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
</context>
<context>
    <name>ChartView</name>
    <message>
        <source>Building chart</source>
        <translation>楼栋图</translation>
    </message>
    <message>
        <source>No household registered</source>
        <translation>还没有登记住户</translation>
    </message>
    <message>
        <source>{room}: no household registered</source>
        <translation>{room}:未登记住户</translation>
    </message>
    <message>
        <source>Head: {head} ({n} residents)</source>
        <translation>户主:{head}(共 {n} 人)</translation>
    </message>
    <message>
        <source>House: {s}</source>
        <translation>房屋状态:{s}</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未走访</translation>
    </message>
    <message>
        <source>Tier: {tier} · last visit {last} · next due {due}</source>
        <translation>走访等级:{tier} · 上次走访 {last} · 下次应访 {due}</translation>
    </message>
    <message>
        <source>Visit overdue by {n} days</source>
        <translation>走访已超期 {n} 天</translation>
    </message>
    <message>
        <source>★ Party members: {n}</source>
        <translation>★ 党员 {n} 人</translation>
    </message>
    <message>
        <source>● {groups}</source>
        <translation>● {groups}</translation>
    </message>
    <message>
        <source>Open problems: {n}</source>
        <translation>未销号问题 {n} 件</translation>
    </message>
</context>
<context>
    <name>DevicesDialog</name>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Registered computers</source>
        <translation>登记的电脑</translation>
    </message>
    <message>
        <source>Computer</source>
        <translation>电脑名称</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备编号</translation>
    </message>
    <message>
        <source>Area</source>
        <translation>负责范围</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Audit entries</source>
        <translation>操作日志(条)</translation>
    </message>
    <message>
        <source>Registered</source>
        <translation>登记时间</translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation>指纹</translation>
    </message>
    <message>
        <source>&amp;Register a computer…</source>
        <translation>登记电脑(&amp;R)…</translation>
    </message>
    <message>
        <source>Change &amp;area…</source>
        <translation>修改负责范围(&amp;A)…</translation>
    </message>
    <message>
        <source>Re&amp;voke…</source>
        <translation>吊销(&amp;V)…</translation>
    </message>
    <message>
        <source>Audit &amp;trail…</source>
        <translation>查看操作日志(&amp;T)…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>{n} computer(s).</source>
        <translation>共 {n} 台电脑。</translation>
    </message>
    <message>
        <source>The audit log of {names} does not continue what it sent before: check these computers.</source>
        <translation>{names}的操作日志与它以前交来的接不上:请核实这些电脑。</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>操作失败</translation>
    </message>
    <message>
        <source>Register a grid computer</source>
        <translation>登记网格电脑</translation>
    </message>
    <message>
        <source>Registered {name}.
Fingerprint: {fp}
Check the fingerprint with the other side by phone.</source>
        <translation>已登记 {name}。
指纹:{fp}
请通过电话与对方核对指纹。</translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation>吊销</translation>
    </message>
    <message>
        <source>Revoke {name}? From now on every package it signs is refused. It can be registered again once it has a new key.</source>
        <translation>要吊销 {name} 吗?从现在起,它签发的数据包一律拒收。它换了新密钥后可以重新登记。</translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <source>Discard what you typed?</source>
        <translation>放弃已填写的内容?</translation>
    </message>
    <message>
        <source>What you typed here has not been saved. Close and discard it?</source>
        <translation>这里填写的内容还没有保存。关闭并放弃吗?</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>放弃</translation>
    </message>
    <message>
        <source>Keep editing</source>
        <translation>继续填写</translation>
    </message>
    <message>
        <source>Cannot save</source>
        <translation>无法保存</translation>
    </message>
    <message>
        <source>Changed by someone else</source>
        <translation>记录已被他人修改</translation>
    </message>
    <message>
        <source>Nothing was saved. What you typed is still in the form: copy what you want to keep, then reload the record to see the current version and enter your change again.</source>
        <translation>没有保存。你填写的内容还在窗口里:请先复制需要保留的内容,再点“重新载入”查看最新的记录,然后重新填写你的修改。</translation>
    </message>
    <message>
        <source>Nothing was saved. What you typed is still in the form: copy what you want to keep, close the form and open it again to see the current version.</source>
        <translation>没有保存。你填写的内容还在窗口里:请先复制需要保留的内容,再关闭窗口重新打开,查看最新的记录。</translation>
    </message>
    <message>
        <source>Reload the record</source>
        <translation>重新载入</translation>
    </message>
    <message>
        <source>Keep my input</source>
        <translation>保留我的输入</translation>
    </message>
</context>
<context>
    <name>DrillDialog</name>
    <message>
        <source>What the figure counts</source>
        <translation>统计明细</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Head</source>
        <translation>户主</translation>
    </message>
    <message>
        <source>Special groups</source>
        <translation>重点人群</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>Last visit</source>
        <translation>上次走访</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未走访</translation>
    </message>
    <message>
        <source>Next due</source>
        <translation>下次应访</translation>
    </message>
    <message>
        <source>{n} households</source>
        <translation>共 {n} 户</translation>
    </message>
    <message>
        <source>Reported</source>
        <translation>登记时间</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>层级</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>办理时限</translation>
    </message>
    <message>
        <source>{n} problems</source>
        <translation>共 {n} 件</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>DuePage</name>
    <message>
        <source>Log a visit for the selected household</source>
        <translation>为选中住户登记走访</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Grid / building group</source>
        <translation>网格 / 楼栋党小组</translation>
    </message>
    <message>
        <source>Head</source>
        <translation>户主</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>Last visit</source>
        <translation>上次走访</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未走访</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>应访日期</translation>
    </message>
    <message>
        <source>Overdue / days left</source>
        <translation>超期/剩余</translation>
    </message>
    <message>
        <source>No household is due this week here. Well done!</source>
        <translation>本周这里没有应访住户,做得好!</translation>
    </message>
    <message>
        <source>All tiers</source>
        <translation>全部等级</translation>
    </message>
    <message>
        <source>Scope: {name}</source>
        <translation>范围:{name}</translation>
    </message>
    <message>
        <source>{n} due, {o} overdue</source>
        <translation>应访 {n} 户,其中超期 {o} 户</translation>
    </message>
    <message>
        <source>{n} days</source>
        <translation>{n} 天</translation>
    </message>
    <message>
        <source>due today</source>
        <translation>今天应访</translation>
    </message>
    <message>
        <source>in {n} days</source>
        <translation>还有 {n} 天</translation>
    </message>
</context>
<context>
    <name>ExchangeActions</name>
    <message>
        <source>&amp;Export package…</source>
        <translation>导出数据包(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Merge packages…</source>
        <translation>合并数据包(&amp;M)…</translation>
    </message>
    <message>
        <source>Merge &amp;review…</source>
        <translation>合并待处理(&amp;R)…</translation>
    </message>
    <message>
        <source>Export &amp;ledger (Excel)…</source>
        <translation>导出台账 Excel(&amp;L)…</translation>
    </message>
    <message>
        <source>&amp;Import household roster (Excel)…</source>
        <translation>导入住户花名册 Excel(&amp;I)…</translation>
    </message>
    <message>
        <source>Please wait</source>
        <translation>请稍候</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>操作失败</translation>
    </message>
    <message>
        <source>Export package</source>
        <translation>导出数据包</translation>
    </message>
    <message>
        <source>What to export:</source>
        <translation>导出内容:</translation>
    </message>
    <message>
        <source>Changes since the last export</source>
        <translation>上次导出后的改动</translation>
    </message>
    <message>
        <source>All data</source>
        <translation>全部数据</translation>
    </message>
    <message>
        <source>Packages (*.gvpkg)</source>
        <translation>数据包 (*.gvpkg)</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>已保存:{path}</translation>
    </message>
    <message>
        <source>No changes since the last export.</source>
        <translation>上次导出后没有改动。</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出……</translation>
    </message>
    <message>
        <source>Merge packages</source>
        <translation>合并数据包</translation>
    </message>
    <message>
        <source>{n} package(s) processed.</source>
        <translation>已处理 {n} 个数据包。</translation>
    </message>
    <message>
        <source>{n} package(s) could not be merged; see the details.</source>
        <translation>其中 {n} 个数据包未能合并,原因见详细信息。</translation>
    </message>
    <message>
        <source>Conflicts or possible duplicates were found. Review them now?</source>
        <translation>发现冲突或疑似重复记录。现在处理吗?</translation>
    </message>
    <message>
        <source>Merging…</source>
        <translation>正在合并……</translation>
    </message>
    <message>
        <source>Export ledger</source>
        <translation>导出台账</translation>
    </message>
    <message>
        <source>Ledger:</source>
        <translation>台账:</translation>
    </message>
    <message>
        <source>Excel (*.xlsx)</source>
        <translation>Excel 文件 (*.xlsx)</translation>
    </message>
    <message>
        <source>Saved {path} ({n} rows). Names, phones and ID numbers are masked.</source>
        <translation>已保存:{path}(共 {n} 行)。姓名、电话和身份证号已打码。</translation>
    </message>
    <message>
        <source>Import household roster</source>
        <translation>导入住户花名册</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>正在导入……</translation>
    </message>
    <message>
        <source>{n} row(s) are invalid, so nothing was imported. Import the valid rows and skip the invalid ones?</source>
        <translation>有 {n} 行不合格,未导入任何数据。是否跳过不合格的行,只导入合格的行?</translation>
    </message>
    <message>
        <source>Expected columns:</source>
        <translation>需要的列:</translation>
    </message>
    <message>
        <source>Households: {ha} added, {hu} updated, {hn} unchanged. Residents: {ra} added, {ru} updated, {rn} unchanged.</source>
        <translation>已导入。住户:新增 {ha},更新 {hu},未变 {hn};居民:新增 {ra},更新 {ru},未变 {rn}。</translation>
    </message>
</context>
<context>
    <name>FirstAdminDialog</name>
    <message>
        <source>Create the first administrator</source>
        <translation>创建首位管理员</translation>
    </message>
    <message>
        <source>This is the first start. Create the administrator account. The data on this computer is encrypted with a key that only your password opens: keep the password safe, it cannot be recovered.</source>
        <translation>这是首次启动,请创建管理员账号。本机数据用只有您的密码才能打开的密钥加密:请牢记密码,忘记后无法找回。</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>用户名:</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>姓名:</translation>
    </message>
    <message>
        <source>Password (8+ characters):</source>
        <translation>密码(至少 8 个字符):</translation>
    </message>
    <message>
        <source>Password again:</source>
        <translation>再输一次密码:</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>创建</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>GuideDialog</name>
    <message>
        <source>User guide</source>
        <translation>使用说明</translation>
    </message>
    <message>
        <source>The user guide is missing from this installation: please reinstall.</source>
        <translation>这个安装缺少使用说明文件,请重新安装。</translation>
    </message>
</context>
<context>
    <name>HelpActions</name>
    <message>
        <source>User &amp;guide</source>
        <translation>使用说明(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <source>About gridvisit</source>
        <translation>关于网格走访</translation>
    </message>
    <message>
        <source>gridvisit {v}
Offline household visits and problem lists for community grid workers.</source>
        <translation>网格走访 {v}
社区网格员离线入户走访与问题清单管理工具。</translation>
    </message>
</context>
<context>
    <name>HierarchyActions</name>
    <message>
        <source>New community…</source>
        <translation>新建社区……</translation>
    </message>
    <message>
        <source>New community</source>
        <translation>新建社区</translation>
    </message>
    <message>
        <source>Community name</source>
        <translation>社区名称</translation>
    </message>
    <message>
        <source>New grid…</source>
        <translation>新建网格……</translation>
    </message>
    <message>
        <source>New grid</source>
        <translation>新建网格</translation>
    </message>
    <message>
        <source>Grid name</source>
        <translation>网格名称</translation>
    </message>
    <message>
        <source>New building group…</source>
        <translation>新建楼栋党小组……</translation>
    </message>
    <message>
        <source>New building group</source>
        <translation>新建楼栋党小组</translation>
    </message>
    <message>
        <source>Building group name</source>
        <translation>楼栋党小组名称</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名……</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>New name</source>
        <translation>新名称</translation>
    </message>
    <message>
        <source>Move to…</source>
        <translation>移动到……</translation>
    </message>
    <message>
        <source>Nothing to change here for your role</source>
        <translation>您的角色在此没有可做的操作</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除……</translation>
    </message>
    <message>
        <source>Archive…</source>
        <translation>归档……</translation>
    </message>
    <message>
        <source>To community</source>
        <translation>移到社区</translation>
    </message>
    <message>
        <source>To grid</source>
        <translation>移到网格</translation>
    </message>
    <message>
        <source>Move {n}</source>
        <translation>移动“{n}”</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete “{n}”? This cannot be undone.</source>
        <translation>确定删除“{n}”吗?删除后无法恢复。</translation>
    </message>
    <message>
        <source>Archive</source>
        <translation>归档</translation>
    </message>
    <message>
        <source>Archive “{n}”? It disappears from the lists; its history is kept.</source>
        <translation>确定归档“{n}”吗?归档后不再显示在列表中,历史记录会保留。</translation>
    </message>
</context>
<context>
    <name>HierarchyTree</name>
    <message>
        <source>Community / grid / building group</source>
        <translation>社区 / 网格 / 楼栋党小组</translation>
    </message>
    <message>
        <source>Household count</source>
        <translation>户数</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>超期</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>{h} households, {o} overdue visits, {p} open problems</source>
        <translation>住户 {h} 户,走访超期 {o} 户,未销号问题 {p} 个</translation>
    </message>
</context>
<context>
    <name>HouseholdActions</name>
    <message>
        <source>&amp;New household</source>
        <translation>新增住户(&amp;N)</translation>
    </message>
    <message>
        <source>New household</source>
        <translation>新增住户</translation>
    </message>
    <message>
        <source>Choose a building group in the tree on the left first.</source>
        <translation>请先在左侧层级树中选择一个楼栋党小组。</translation>
    </message>
    <message>
        <source>Edit household</source>
        <translation>编辑住户</translation>
    </message>
    <message>
        <source>Saved household {a}.</source>
        <translation>已保存住户 {a}。</translation>
    </message>
    <message>
        <source>Move household</source>
        <translation>移动住户</translation>
    </message>
    <message>
        <source>To building group</source>
        <translation>移到楼栋党小组</translation>
    </message>
    <message>
        <source>Delete household</source>
        <translation>删除住户</translation>
    </message>
    <message>
        <source>Delete {a} and its residents? This cannot be undone.</source>
        <translation>确定删除 {a} 及其居民吗?删除后无法恢复。</translation>
    </message>
    <message>
        <source>Archive it instead? Its history is kept.</source>
        <translation>是否改为归档?历史记录会保留。</translation>
    </message>
    <message>
        <source>Add resident</source>
        <translation>新增居民</translation>
    </message>
    <message>
        <source>Saved resident {n}.</source>
        <translation>已保存居民 {n}。</translation>
    </message>
    <message>
        <source>Edit resident</source>
        <translation>编辑居民</translation>
    </message>
    <message>
        <source>Recorded: {k} of {n}.</source>
        <translation>已记录:{n} {k}。</translation>
    </message>
    <message>
        <source>Please check</source>
        <translation>请核对</translation>
    </message>
</context>
<context>
    <name>HouseholdDialog</name>
    <message>
        <source>&amp;Building</source>
        <translation>楼栋(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Unit</source>
        <translation>单元(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Room</source>
        <translation>室号(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Phone</source>
        <translation>电话(&amp;P)</translation>
    </message>
    <message>
        <source>Automatic (from special groups)</source>
        <translation>自动(按重点人群)</translation>
    </message>
    <message>
        <source>Visit &amp;tier</source>
        <translation>走访等级(&amp;T)</translation>
    </message>
    <message>
        <source>Party centre household</source>
        <translation>党员中心户</translation>
    </message>
    <message>
        <source>House &amp;status</source>
        <translation>房屋状态(&amp;S)</translation>
    </message>
    <message>
        <source>O&amp;wner</source>
        <translation>房主(&amp;W)</translation>
    </message>
    <message>
        <source>Owner's p&amp;hone</source>
        <translation>房主电话(&amp;H)</translation>
    </message>
    <message>
        <source>T&amp;enants</source>
        <translation>租住人数(&amp;E)</translation>
    </message>
    <message>
        <source>Rental re&amp;gistration no.</source>
        <translation>租赁登记备案号(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Notes</source>
        <translation>备注(&amp;N)</translation>
    </message>
</context>
<context>
    <name>HouseholdsPage</name>
    <message>
        <source>Search address, name, phone or pinyin initials (Ctrl+F)</source>
        <translation>搜索地址、姓名、电话或拼音首字母(Ctrl+F)</translation>
    </message>
    <message>
        <source>New household</source>
        <translation>新增住户</translation>
    </message>
    <message>
        <source>{date} ({n} working days left)</source>
        <translation>{date}(剩 {n} 个工作日)</translation>
    </message>
    <message>
        <source>{date} (due today)</source>
        <translation>{date}(今日到期)</translation>
    </message>
    <message>
        <source>{date} (overdue {n} working days)</source>
        <translation>{date}(超期 {n} 个工作日)</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>Head</source>
        <translation>户主</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>人数</translation>
    </message>
    <message>
        <source>Special groups</source>
        <translation>重点人群</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>Last visit</source>
        <translation>上次走访</translation>
    </message>
    <message>
        <source>Next due</source>
        <translation>下次应访</translation>
    </message>
    <message>
        <source>Open problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Log a visit (Ctrl+N)</source>
        <translation>登记走访(Ctrl+N)</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Move</source>
        <translation>移动</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Relation</source>
        <translation>关系</translation>
    </message>
    <message>
        <source>Gender</source>
        <translation>性别</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>年龄</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Party member</source>
        <translation>党员</translation>
    </message>
    <message>
        <source>Political status</source>
        <translation>政治面貌</translation>
    </message>
    <message>
        <source>Registration</source>
        <translation>户籍类型</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Kind of change</source>
        <translation>变动</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Add resident</source>
        <translation>新增居民</translation>
    </message>
    <message>
        <source>Edit resident</source>
        <translation>编辑居民</translation>
    </message>
    <message>
        <source>Show full numbers</source>
        <translation>显示完整号码</translation>
    </message>
    <message>
        <source>Show this resident's full ID number and phone (recorded in the audit log)</source>
        <translation>显示该居民完整的身份证号和电话(会记入操作日志)</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>Purpose</source>
        <translation>目的</translation>
    </message>
    <message>
        <source>Worker</source>
        <translation>走访人</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Situation</source>
        <translation>走访情况</translation>
    </message>
    <message>
        <source>Reported</source>
        <translation>登记时间</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>办理时限</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <source>Residents</source>
        <translation>居民</translation>
    </message>
    <message>
        <source>Double-click or press Enter to open, correct or delete</source>
        <translation>双击或按回车键打开、更正或删除</translation>
    </message>
    <message>
        <source>Visits</source>
        <translation>走访记录</translation>
    </message>
    <message>
        <source>Moves</source>
        <translation>迁入迁出</translation>
    </message>
    <message>
        <source>Select a household to see its residents, visits and problems.</source>
        <translation>选择一户住户,查看其居民、走访记录和问题。</translation>
    </message>
    <message>
        <source>{shown} of {total}</source>
        <translation>找到 {shown} 户 / 共 {total} 户</translation>
    </message>
    <message>
        <source>{n} tenant(s)</source>
        <translation>租住 {n} 人</translation>
    </message>
    <message>
        <source>Moves ({n})</source>
        <translation>迁入迁出({n})</translation>
    </message>
    <message>
        <source>Select a resident in the list first, then click “Show full numbers”.</source>
        <translation>请先在居民列表中选中一位居民,再点“显示完整号码”。</translation>
    </message>
    <message>
        <source>{total} households</source>
        <translation>共 {total} 户</translation>
    </message>
    <message>
        <source>Loading households…</source>
        <translation>正在加载住户……</translation>
    </message>
    <message>
        <source>No household matches “{q}”. Press Esc to clear the search.</source>
        <translation>没有与“{q}”匹配的住户。按 Esc 清除搜索。</translation>
    </message>
    <message>
        <source>No households here yet.
Choose a building group on the left and click “New household”, or right-click the tree to add communities, grids and building groups.</source>
        <translation>这里还没有住户。
请在左侧选择一个楼栋党小组后点击“新增住户”;也可以右键点击层级树,新建社区、网格和楼栋党小组。</translation>
    </message>
    <message>
        <source>{date} (overdue {days} d)</source>
        <translation>{date}(超期 {days} 天)</translation>
    </message>
    <message>
        <source>Move in/out…</source>
        <translation>迁入/迁出…</translation>
    </message>
    <message>
        <source>Record that the selected resident moved in, moved out or died, or a change within the household</source>
        <translation>登记所选居民的迁入、迁出、死亡或户内变更</translation>
    </message>
    <message>
        <source>{shown}+ of {total}, searching…</source>
        <translation>已找到 {shown} 户 / 共 {total} 户，查找中……</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>正在查找……</translation>
    </message>
    <message>
        <source>party centre household</source>
        <translation>党员中心户</translation>
    </message>
    <message>
        <source>contacted by {a}</source>
        <translation>联系人:党员中心户 {a}</translation>
    </message>
    <message>
        <source>tier: {t}</source>
        <translation>走访等级:{t}</translation>
    </message>
    <message>
        <source>phone: {p}</source>
        <translation>电话:{p}</translation>
    </message>
    <message>
        <source>Residents ({n})</source>
        <translation>居民({n})</translation>
    </message>
    <message>
        <source>Visits ({n})</source>
        <translation>走访记录({n})</translation>
    </message>
    <message>
        <source>Problems ({n})</source>
        <translation>问题({n})</translation>
    </message>
</context>
<context>
    <name>IdentityDialog</name>
    <message>
        <source>This computer's identity</source>
        <translation>本机身份</translation>
    </message>
    <message>
        <source>It is a copy: give it its own identity</source>
        <translation>这是复制来的:生成本机自己的身份</translation>
    </message>
    <message>
        <source>It is the same computer: keep the identity</source>
        <translation>就是原来那台电脑:保留身份</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>设备编号:</translation>
    </message>
    <message>
        <source>Fingerprint:</source>
        <translation>指纹:</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>If this file was copied from another computer, give it its own identity, then send its new public key to the sub-district. If it is the same computer and the file was only moved or restored, keep the identity.</source>
        <translation>如果这个文件是从另一台电脑复制来的,请为它生成自己的身份,再把新的公钥交街道登记;如果就是原来那台电脑,只是文件换了位置或从备份恢复,请保留身份。</translation>
    </message>
    <message>
        <source>This database is where its identity belongs.</source>
        <translation>这个数据库就在它的身份所属的电脑和位置上,一切正常。</translation>
    </message>
    <message>
        <source>Give this computer a new device id and key pair? The sub-district must register its new public key; the next export sends all data.</source>
        <translation>要为本机生成新的设备编号和密钥吗?之后需由街道登记新的公钥;下次导出会包含全部数据。</translation>
    </message>
    <message>
        <source>This is a sub-district database: {n} computer(s) encrypt their packages to its key, and each must import the new public key.</source>
        <translation>这是街道的数据库:有 {n} 台电脑用它的公钥加密数据包,换身份后每台都要重新导入新的街道公钥。</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>操作失败</translation>
    </message>
</context>
<context>
    <name>KeySetupDialog</name>
    <message>
        <source>Key exchange guide</source>
        <translation>密钥交换向导</translation>
    </message>
    <message>
        <source>a grid computer</source>
        <translation>网格电脑</translation>
    </message>
    <message>
        <source>This computer is:</source>
        <translation>本机是:</translation>
    </message>
    <message>
        <source>Packages are encrypted for the sub-district and signed by the computer that made them. Each side gives the other its public key once; check each fingerprint with the other side by phone.</source>
        <translation>数据包只有街道能打开,并由导出的电脑签名。双方各把自己的公钥交给对方一次;请通过电话与对方核对指纹。</translation>
    </message>
    <message>
        <source>1. Export this computer's public key…</source>
        <translation>1. 导出本机公钥…</translation>
    </message>
    <message>
        <source>2. Register a grid computer…</source>
        <translation>2. 登记网格电脑…</translation>
    </message>
    <message>
        <source>2. Import the sub-district's public key…</source>
        <translation>2. 导入街道公钥…</translation>
    </message>
    <message>
        <source>This step is done by an administrator.</source>
        <translation>这一步须由管理员办理。</translation>
    </message>
    <message>
        <source>This computer's fingerprint: {fp}. Give the exported file to {who}.</source>
        <translation>本机指纹:{fp}。请把导出的公钥文件交给{who}。</translation>
    </message>
    <message>
        <source>every grid</source>
        <translation>各网格</translation>
    </message>
    <message>
        <source>the sub-district</source>
        <translation>街道</translation>
    </message>
    <message>
        <source>Registered grid computers ({n}): {names}</source>
        <translation>已登记的网格电脑({n} 台):{names}</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>还没有</translation>
    </message>
    <message>
        <source>Not done yet: packages cannot be exported until this step is done.</source>
        <translation>尚未完成:完成这一步之前无法导出数据包。</translation>
    </message>
    <message>
        <source>Done: {name}, fingerprint {fp}.</source>
        <translation>已完成:{name},指纹 {fp}。</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Log in to gridvisit</source>
        <translation>登录网格走访</translation>
    </message>
    <message>
        <source>Database:</source>
        <translation>数据库:</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>用户名:</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>密码:</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>gridvisit — household visits</source>
        <translation>网格走访 — 入户走访管理</translation>
    </message>
    <message>
        <source>Households</source>
        <translation>住户</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Due this week</source>
        <translation>本周应访</translation>
    </message>
    <message>
        <source>Buildings</source>
        <translation>楼栋图</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>统计</translation>
    </message>
    <message>
        <source>User: {user}</source>
        <translation>当前用户:{user}</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Households</source>
        <translation>住户(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Problems</source>
        <translation>问题(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Due this week</source>
        <translation>本周应访(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Buildings</source>
        <translation>楼栋图(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Statistics</source>
        <translation>统计(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Hierarchy</source>
        <translation>组织层级(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Reports</source>
        <translation>报表(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Account</source>
        <translation>账号(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Loading the hierarchy…</source>
        <translation>正在加载组织层级……</translation>
    </message>
    <message>
        <source>Week {w} ({a} – {b})</source>
        <translation>第 {w} 周({a} 至 {b})</translation>
    </message>
    <message>
        <source>Loading {n} households…</source>
        <translation>正在加载 {n} 户住户……</translation>
    </message>
    <message>
        <source>Choose a building group (楼栋党小组) in the tree on the left.</source>
        <translation>请在左侧的树里选择一个楼栋党小组。</translation>
    </message>
    <message>
        <source>Could not load data</source>
        <translation>数据加载失败</translation>
    </message>
</context>
<context>
    <name>MoveDialog</name>
    <message>
        <source>Move of {n}</source>
        <translation>{n} 的迁入迁出</translation>
    </message>
    <message>
        <source>&amp;Change</source>
        <translation>变动类型(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Date</source>
        <translation>日期(&amp;D)</translation>
    </message>
    <message>
        <source>(unchanged)</source>
        <translation>(不变)</translation>
    </message>
    <message>
        <source>New &amp;relation to head</source>
        <translation>新的与户主关系(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Note</source>
        <translation>备注(&amp;N)</translation>
    </message>
</context>
<context>
    <name>PdfPreviewDialog</name>
    <message>
        <source>Full names (internal use only)</source>
        <translation>显示完整姓名(仅限内部使用)</translation>
    </message>
    <message>
        <source>&amp;Print…</source>
        <translation>打印(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Save as PDF…</source>
        <translation>另存为 PDF(&amp;S)…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Building the PDF…</source>
        <translation>正在生成 PDF……</translation>
    </message>
    <message>
        <source>The PDF could not be opened for preview.</source>
        <translation>生成的 PDF 无法打开预览。</translation>
    </message>
    <message>
        <source>{pages} pages</source>
        <translation>共 {pages} 页</translation>
    </message>
    <message>
        <source>The PDF could not be built:
{m}</source>
        <translation>PDF 未能生成:
{m}</translation>
    </message>
    <message>
        <source>Cannot print</source>
        <translation>无法打印</translation>
    </message>
    <message>
        <source>The printer could not be started. Check that it is connected.</source>
        <translation>无法启动打印机,请检查打印机是否已连接并开机。</translation>
    </message>
    <message>
        <source>Save as PDF</source>
        <translation>另存为 PDF</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Cannot save</source>
        <translation>无法保存</translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation>已保存到 {path}</translation>
    </message>
</context>
<context>
    <name>PeriodPicker</name>
    <message>
        <source>This week</source>
        <translation>本周</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>This quarter</source>
        <translation>本季度</translation>
    </message>
    <message>
        <source>This year</source>
        <translation>本年</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>Previous period</source>
        <translation>上一期</translation>
    </message>
    <message>
        <source>Next period</source>
        <translation>下一期</translation>
    </message>
    <message>
        <source>to</source>
        <translation>至</translation>
    </message>
</context>
<context>
    <name>ProblemActionDialog</name>
    <message>
        <source>Accept and dispatch</source>
        <translation>受理派单</translation>
    </message>
    <message>
        <source>Add progress</source>
        <translation>添加办理进展</translation>
    </message>
    <message>
        <source>Escalate to the next level</source>
        <translation>上报上一级</translation>
    </message>
    <message>
        <source>Resolve</source>
        <translation>办结</translation>
    </message>
    <message>
        <source>Return visit</source>
        <translation>回访</translation>
    </message>
    <message>
        <source>Reopen</source>
        <translation>重新办理</translation>
    </message>
    <message>
        <source>Yellow card supervision</source>
        <translation>黄牌督办</translation>
    </message>
    <message>
        <source>Red card supervision</source>
        <translation>红牌督办</translation>
    </message>
    <message>
        <source>Expedite</source>
        <translation>加急</translation>
    </message>
    <message>
        <source>Request an extension</source>
        <translation>延期申请</translation>
    </message>
    <message>
        <source>Decide on the extension request</source>
        <translation>审批延期申请</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>e.g. property service centre, residents' committee</source>
        <translation>例如:物业服务中心、社区居委会</translation>
    </message>
    <message>
        <source>Responsible &amp;unit</source>
        <translation>责任单位(&amp;U)</translation>
    </message>
    <message>
        <source>Responsible &amp;person</source>
        <translation>责任人(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Satisfaction</source>
        <translation>满意度(&amp;S)</translation>
    </message>
    <message>
        <source>Current limit</source>
        <translation>现在的时限</translation>
    </message>
    <message>
        <source>&amp;New limit</source>
        <translation>延期至(&amp;N)</translation>
    </message>
    <message>
        <source>Extend to {date}: {reason}</source>
        <translation>申请延期至 {date}:{reason}</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>申请</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>同意延期</translation>
    </message>
    <message>
        <source>Refuse</source>
        <translation>不同意</translation>
    </message>
    <message>
        <source>&amp;Decision</source>
        <translation>审批结果(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Note</source>
        <translation>备注(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Progress</source>
        <translation>办理进展(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>原因(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Resolution</source>
        <translation>办理结果(&amp;R)</translation>
    </message>
    <message>
        <source>Resident's &amp;feedback</source>
        <translation>居民反馈(&amp;F)</translation>
    </message>
    <message>
        <source>Supervision &amp;note</source>
        <translation>督办意见(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Opinion</source>
        <translation>审批意见(&amp;O)</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ProblemRow</name>
    <message>
        <source>Problem {n}</source>
        <translation>问题 {n}</translation>
    </message>
    <message>
        <source>— choose a category —</source>
        <translation>—— 请选择类别 ——</translation>
    </message>
    <message>
        <source>What is the problem, where, since when</source>
        <translation>什么问题、在哪里、从什么时候开始</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <source>Urgency</source>
        <translation>紧急程度</translation>
    </message>
    <message>
        <source>Handled by</source>
        <translation>办理层级</translation>
    </message>
    <message>
        <source>same day</source>
        <translation>当天</translation>
    </message>
    <message>
        <source>{n} days</source>
        <translation>{n} 天</translation>
    </message>
</context>
<context>
    <name>ProblemsPage</name>
    <message>
        <source>{date} ({n} working days left)</source>
        <translation>{date}(剩 {n} 个工作日)</translation>
    </message>
    <message>
        <source>{date} (due today)</source>
        <translation>{date}(今日到期)</translation>
    </message>
    <message>
        <source>{date} (overdue {n} working days)</source>
        <translation>{date}(超期 {n} 个工作日)</translation>
    </message>
    <message>
        <source>*</source>
        <translation>*</translation>
    </message>
    <message>
        <source>extension requested</source>
        <translation>延期待审批</translation>
    </message>
    <message>
        <source>Not closed</source>
        <translation>未销号</translation>
    </message>
    <message>
        <source>Open (pending or in progress)</source>
        <translation>未办结(待受理、办理中)</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>All levels</source>
        <translation>全部层级</translation>
    </message>
    <message>
        <source>Overdue only</source>
        <translation>只看超期</translation>
    </message>
    <message>
        <source>Reported from</source>
        <translation>登记日期</translation>
    </message>
    <message>
        <source>Reported</source>
        <translation>登记时间</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <source>Urgency</source>
        <translation>紧急程度</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>层级</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>办理时限</translation>
    </message>
    <message>
        <source>Supervision</source>
        <translation>督办</translation>
    </message>
    <message>
        <source>Responsible</source>
        <translation>责任单位/责任人</translation>
    </message>
    <message>
        <source>No problems match these filters.</source>
        <translation>没有符合筛选条件的问题。</translation>
    </message>
    <message>
        <source>Accept &amp;&amp; dispatch</source>
        <translation>受理派单</translation>
    </message>
    <message>
        <source>Add progress</source>
        <translation>添加办理进展</translation>
    </message>
    <message>
        <source>Escalate</source>
        <translation>上报</translation>
    </message>
    <message>
        <source>Resolve</source>
        <translation>办结</translation>
    </message>
    <message>
        <source>Return visit</source>
        <translation>回访</translation>
    </message>
    <message>
        <source>Reopen</source>
        <translation>重新办理</translation>
    </message>
    <message>
        <source>Yellow card</source>
        <translation>黄牌督办</translation>
    </message>
    <message>
        <source>Red card</source>
        <translation>红牌督办</translation>
    </message>
    <message>
        <source>Expedite</source>
        <translation>加急</translation>
    </message>
    <message>
        <source>Request extension</source>
        <translation>申请延期</translation>
    </message>
    <message>
        <source>Decide extension</source>
        <translation>审批延期</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>All categories</source>
        <translation>全部类别</translation>
    </message>
    <message>
        <source>Scope: {name}</source>
        <translation>范围:{name}</translation>
    </message>
    <message>
        <source>{n} problems, {o} overdue</source>
        <translation>共 {n} 个问题,超期 {o} 个</translation>
    </message>
    <message>
        <source> — * counted Monday to Friday: the holiday schedule of that year has not been entered (gridvisit calendar set-year)</source>
        <translation> — 带 * 的时限按周一至周五估算:该年的节假日安排尚未录入(gridvisit calendar set-year)</translation>
    </message>
    <message>
        <source>Select a problem to see its history and act on it.</source>
        <translation>选择一个问题,查看流转记录并办理。</translation>
    </message>
    <message>
        <source> — OVERDUE</source>
        <translation> — 已超期</translation>
    </message>
    <message>
        <source>limit {date}</source>
        <translation>时限 {date}</translation>
    </message>
    <message>
        <source>was {date}</source>
        <translation>原时限 {date}</translation>
    </message>
</context>
<context>
    <name>ReportPreviewDialog</name>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>&amp;Print…</source>
        <translation>打印(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Save as PDF…</source>
        <translation>另存为 PDF(&amp;S)…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Collecting the figures…</source>
        <translation>正在汇总统计数据……</translation>
    </message>
    <message>
        <source>{pages} pages</source>
        <translation>共 {pages} 页</translation>
    </message>
    <message>
        <source>Stopped. Choose another period, community or grid to build it again.</source>
        <translation>已停止。选择其他统计期、社区或网格即可重新生成。</translation>
    </message>
    <message>
        <source>The report could not be built:
{m}</source>
        <translation>未能生成报表:
{m}</translation>
    </message>
    <message>
        <source>Save report</source>
        <translation>保存报表</translation>
    </message>
    <message>
        <source>Whole sub-district</source>
        <translation>全街道</translation>
    </message>
    <message>
        <source>&amp;Community:</source>
        <translation>社区(&amp;C):</translation>
    </message>
    <message>
        <source>&amp;Grid:</source>
        <translation>网格(&amp;G):</translation>
    </message>
    <message>
        <source>All grids</source>
        <translation>全部网格</translation>
    </message>
    <message>
        <source>Laying out page {n} of about {total}…</source>
        <translation>正在排版第 {n} 页(共约 {total} 页)……</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>正在停止……</translation>
    </message>
    <message>
        <source>The PDF could not be opened for preview.</source>
        <translation>生成的 PDF 无法打开预览。</translation>
    </message>
    <message>
        <source>Cannot print</source>
        <translation>无法打印</translation>
    </message>
    <message>
        <source>The printer could not be started. Check that it is connected.</source>
        <translation>无法启动打印机,请检查打印机是否已连接并开机。</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation>已保存到 {path}</translation>
    </message>
    <message>
        <source>Cannot save</source>
        <translation>无法保存</translation>
    </message>
    <message>
        <source>Saving {path} failed: {reason}. Choose another folder.</source>
        <translation>保存 {path} 失败:{reason}。请换一个文件夹。</translation>
    </message>
</context>
<context>
    <name>ResidentDialog</name>
    <message>
        <source>&amp;Name</source>
        <translation>姓名(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Gender</source>
        <translation>性别(&amp;G)</translation>
    </message>
    <message>
        <source>(from ID number)</source>
        <translation>(按身份证号)</translation>
    </message>
    <message>
        <source>&amp;ID number</source>
        <translation>身份证号(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Phone</source>
        <translation>电话(&amp;P)</translation>
    </message>
    <message>
        <source>Show full numbers</source>
        <translation>显示完整号码</translation>
    </message>
    <message>
        <source>Shows the full ID number and phone; the viewing is recorded in the audit log.</source>
        <translation>显示完整的身份证号和电话;这次查看会记入操作日志。</translation>
    </message>
    <message>
        <source>&amp;Relation to head</source>
        <translation>与户主关系(&amp;R)</translation>
    </message>
    <message>
        <source>Head of household</source>
        <translation>户主</translation>
    </message>
    <message>
        <source>Re&amp;gistration</source>
        <translation>户籍类型(&amp;G)</translation>
    </message>
    <message>
        <source>Re&amp;sidence</source>
        <translation>居住类型(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Ethnicity</source>
        <translation>民族(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Political status</source>
        <translation>政治面貌(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Workplace or occupation</source>
        <translation>工作单位或职业(&amp;W)</translation>
    </message>
    <message>
        <source>(not recorded)</source>
        <translation>(未登记)</translation>
    </message>
    <message>
        <source>&amp;Moved in on</source>
        <translation>迁入日期(&amp;M)</translation>
    </message>
    <message>
        <source>Special gro&amp;ups</source>
        <translation>重点人群(&amp;U)</translation>
    </message>
    <message>
        <source>N&amp;otes</source>
        <translation>备注(&amp;O)</translation>
    </message>
</context>
<context>
    <name>ReviewDialog</name>
    <message>
        <source>Merge review</source>
        <translation>合并待处理</translation>
    </message>
    <message>
        <source>Record type</source>
        <translation>记录类型</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Copies</source>
        <translation>版本份数</translation>
    </message>
    <message>
        <source>Found</source>
        <translation>发现时间</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Version no.</source>
        <translation>版本号</translation>
    </message>
    <message>
        <source>Changed at</source>
        <translation>修改时间</translation>
    </message>
    <message>
        <source>Came in</source>
        <translation>来自</translation>
    </message>
    <message>
        <source>Content</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Records changed on two devices from the same version:</source>
        <translation>在两台设备上从同一版本分别修改过的记录:</translation>
    </message>
    <message>
        <source>Copies of the selected record (the current one is marked):</source>
        <translation>所选记录的各个版本(标有“当前”的是系统现在采用的):</translation>
    </message>
    <message>
        <source>Use the selected copy</source>
        <translation>采用所选版本</translation>
    </message>
    <message>
        <source>Keep the current copy</source>
        <translation>保留当前版本</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Record A</source>
        <translation>记录一</translation>
    </message>
    <message>
        <source>Record B</source>
        <translation>记录二</translation>
    </message>
    <message>
        <source>Records that may be the same person or place:</source>
        <translation>可能是同一个人或同一处的记录:</translation>
    </message>
    <message>
        <source>Same person or place</source>
        <translation>确认是同一个</translation>
    </message>
    <message>
        <source>Not the same</source>
        <translation>不是同一个</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Conflicts ({n})</source>
        <translation>冲突({n})</translation>
    </message>
    <message>
        <source>Possible duplicates ({n})</source>
        <translation>疑似重复({n})</translation>
    </message>
    <message>
        <source>current</source>
        <translation>当前</translation>
    </message>
    <message>
        <source>(stored earlier)</source>
        <translation>(此前合并或本机录入)</translation>
    </message>
</context>
<context>
    <name>SecurityActions</name>
    <message>
        <source>Change &amp;password…</source>
        <translation>修改密码(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Audit log…</source>
        <translation>操作日志(&amp;A)…</translation>
    </message>
    <message>
        <source>Export this computer's public &amp;key…</source>
        <translation>导出本机公钥(&amp;K)…</translation>
    </message>
    <message>
        <source>Import the sub-district's public key…</source>
        <translation>导入街道公钥…</translation>
    </message>
    <message>
        <source>Registered computers…</source>
        <translation>登记的电脑…</translation>
    </message>
    <message>
        <source>This computer's identity…</source>
        <translation>本机身份…</translation>
    </message>
    <message>
        <source>Key exchange &amp;guide…</source>
        <translation>密钥交换向导(&amp;G)…</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>操作失败</translation>
    </message>
    <message>
        <source>Change password</source>
        <translation>修改密码</translation>
    </message>
    <message>
        <source>Password changed.</source>
        <translation>密码已修改。</translation>
    </message>
    <message>
        <source>Full numbers</source>
        <translation>完整号码</translation>
    </message>
    <message>
        <source>{name}
ID number: {id}
Phone: {phone}

This viewing is recorded in the audit log.</source>
        <translation>{name}
身份证号:{id}
电话:{phone}

本次查看已记入操作日志。</translation>
    </message>
    <message>
        <source>Export this computer's public key</source>
        <translation>导出本机公钥</translation>
    </message>
    <message>
        <source>Public key</source>
        <translation>公钥</translation>
    </message>
    <message>
        <source>Saved {path}.
Fingerprint: {fp}
Check the fingerprint with the other side by phone.</source>
        <translation>已保存 {path}。
指纹:{fp}
请通过电话与对方核对指纹。</translation>
    </message>
    <message>
        <source>Imported {name}.
Fingerprint: {fp}
Check the fingerprint with the other side by phone.</source>
        <translation>已导入 {name}。
指纹:{fp}
请通过电话与对方核对指纹。</translation>
    </message>
    <message>
        <source>Import the sub-district's public key</source>
        <translation>导入街道公钥</translation>
    </message>
</context>
<context>
    <name>SecurityDialogs</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>SettingsActions</name>
    <message>
        <source>Visit &amp;tiers…</source>
        <translation>走访等级(&amp;T)…</translation>
    </message>
    <message>
        <source>Statistics tar&amp;gets…</source>
        <translation>统计目标(&amp;G)…</translation>
    </message>
    <message>
        <source>Visit tiers saved.</source>
        <translation>走访等级已保存。</translation>
    </message>
    <message>
        <source>Statistics targets saved.</source>
        <translation>统计目标已保存。</translation>
    </message>
</context>
<context>
    <name>StartupChecks</name>
    <message>
        <source>The start-up check failed; details are in the log file.</source>
        <translation>启动检查出错,详情已记录在日志文件中。</translation>
    </message>
    <message>
        <source>Checking the database and taking today's backup; saving waits until then…</source>
        <translation>正在检查数据库并做今天的备份,完成前暂不保存……</translation>
    </message>
</context>
<context>
    <name>StatisticsReportDialog</name>
    <message>
        <source>Statistical report</source>
        <translation>统计表</translation>
    </message>
    <message>
        <source>Monthly</source>
        <translation>月度</translation>
    </message>
    <message>
        <source>Quarterly</source>
        <translation>季度</translation>
    </message>
    <message>
        <source>Yearly</source>
        <translation>年度</translation>
    </message>
    <message>
        <source>&amp;Report:</source>
        <translation>报表(&amp;R):</translation>
    </message>
    <message>
        <source>&amp;Period:</source>
        <translation>统计期(&amp;P):</translation>
    </message>
    <message>
        <source>Save as &amp;Excel…</source>
        <translation>另存为 Excel(&amp;E)…</translation>
    </message>
    <message>
        <source> — not over yet</source>
        <translation>(尚未结束)</translation>
    </message>
    <message>
        <source>{pages} pages · coverage {c}, on time {t}</source>
        <translation>共 {pages} 页 · 走访覆盖率 {c},按期办结率 {t}</translation>
    </message>
    <message>
        <source> · below target: {names}</source>
        <translation> · 未达标:{names}</translation>
    </message>
    <message>
        <source>Save statistical report</source>
        <translation>保存统计表</translation>
    </message>
    <message>
        <source>Save statistical report as Excel</source>
        <translation>将统计表另存为 Excel</translation>
    </message>
    <message>
        <source>Excel (*.xlsx)</source>
        <translation>Excel 文件 (*.xlsx)</translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation>已保存到 {path}</translation>
    </message>
</context>
<context>
    <name>StatsActions</name>
    <message>
        <source>Listing what the figure counts…</source>
        <translation>正在列出统计明细……</translation>
    </message>
    <message>
        <source>Could not load data</source>
        <translation>数据加载失败</translation>
    </message>
    <message>
        <source>That part of the hierarchy is not in your tree.</source>
        <translation>该单位不在您的管辖范围内。</translation>
    </message>
</context>
<context>
    <name>StatsPage</name>
    <message>
        <source>Last 12 months</source>
        <translation>最近 12 个月</translation>
    </message>
    <message>
        <source>Last 12 weeks</source>
        <translation>最近 12 周</translation>
    </message>
    <message>
        <source>Loading the trend…</source>
        <translation>正在统计趋势……</translation>
    </message>
    <message>
        <source>Trend</source>
        <translation>趋势</translation>
    </message>
    <message>
        <source>Problems by category</source>
        <translation>问题分类</translation>
    </message>
    <message>
        <source>Comparison</source>
        <translation>对比</translation>
    </message>
    <message>
        <source>Grids</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>Grid workers</source>
        <translation>网格员</translation>
    </message>
    <message>
        <source>Double-click a figure to see what it counts</source>
        <translation>双击数字可查看明细</translation>
    </message>
    <message>
        <source>Ranking</source>
        <translation>排名</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>正在统计……</translation>
    </message>
    <message>
        <source>No data in this scope for this period</source>
        <translation>该范围内本期没有数据</translation>
    </message>
    <message>
        <source>Scope: {name}</source>
        <translation>范围:{name}</translation>
    </message>
    <message>
        <source>As of {when}</source>
        <translation>统计时点:{when}</translation>
    </message>
    <message>
        <source>As of now</source>
        <translation>统计时点:现在</translation>
    </message>
    <message>
        <source>Building groups</source>
        <translation>楼栋党小组</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新增</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>办结</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>No problems in this period</source>
        <translation>本期没有问题</translation>
    </message>
    <message>
        <source>Visit coverage</source>
        <translation>走访覆盖率</translation>
    </message>
    <message>
        <source>On-time resolution</source>
        <translation>按期办结率</translation>
    </message>
    <message>
        <source>Satisfaction</source>
        <translation>回访满意率</translation>
    </message>
    <message>
        <source>Nothing to compare</source>
        <translation>没有可对比的下级</translation>
    </message>
    <message>
        <source>Month {m}</source>
        <translation>{m}月</translation>
    </message>
    <message>
        <source>New problems</source>
        <translation>新增问题</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>比率</translation>
    </message>
    <message>
        <source>By community</source>
        <translation>各社区对比</translation>
    </message>
    <message>
        <source>By grid</source>
        <translation>各网格对比</translation>
    </message>
    <message>
        <source>By building group</source>
        <translation>各楼栋党小组对比</translation>
    </message>
    <message>
        <source>Target ≥ {t}</source>
        <translation>目标 ≥{t}</translation>
    </message>
    <message>
        <source>below</source>
        <translation>未达标</translation>
    </message>
    <message>
        <source>Double-click to list what it counts</source>
        <translation>双击查看明细</translation>
    </message>
    <message>
        <source>Grid or worker</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Of</source>
        <translation>所属</translation>
    </message>
    <message>
        <source>Due households</source>
        <translation>应访户数</translation>
    </message>
    <message>
        <source>Coverage</source>
        <translation>覆盖率</translation>
    </message>
    <message>
        <source>Resolution rate</source>
        <translation>办结率</translation>
    </message>
    <message>
        <source>On time</source>
        <translation>按期办结率</translation>
    </message>
    <message>
        <source>Satisfied</source>
        <translation>满意率</translation>
    </message>
    <message>
        <source>At grass roots</source>
        <translation>基层解决率</translation>
    </message>
    <message>
        <source>Overdue open</source>
        <translation>超期未办结</translation>
    </message>
    <message>
        <source>due households not visited in time</source>
        <translation>应访未按期走访的住户</translation>
    </message>
    <message>
        <source>problems resolved late</source>
        <translation>超期办结的问题</translation>
    </message>
    <message>
        <source>problems with a dissatisfied return visit</source>
        <translation>回访不满意的问题</translation>
    </message>
    <message>
        <source>households due</source>
        <translation>应访住户</translation>
    </message>
    <message>
        <source>problems resolved</source>
        <translation>办结的问题</translation>
    </message>
    <message>
        <source>new problems</source>
        <translation>新增的问题</translation>
    </message>
    <message>
        <source>overdue unresolved problems</source>
        <translation>超期未办结的问题</translation>
    </message>
</context>
<context>
    <name>TargetsDialog</name>
    <message>
        <source>Statistics targets</source>
        <translation>统计目标</translation>
    </message>
    <message>
        <source>Each rate should be at least</source>
        <translation>各项比率的目标(不低于)</translation>
    </message>
    <message>
        <source>The statistics page, the PDF and the Excel sheet mark a figure below its target.</source>
        <translation>统计页面、PDF 和 Excel 报表会标出低于目标的指标。</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Restore defaults</source>
        <translation>恢复默认</translation>
    </message>
    <message>
        <source>Only a sub-district admin may change them.</source>
        <translation>只有街道管理员可以修改。</translation>
    </message>
</context>
<context>
    <name>TierDialog</name>
    <message>
        <source>Visit tiers</source>
        <translation>走访等级</translation>
    </message>
    <message>
        <source>Tiers and how often they are visited</source>
        <translation>各等级及走访周期</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>every</source>
        <translation>每</translation>
    </message>
    <message>
        <source>Tier {n}</source>
        <translation>第 {n} 级</translation>
    </message>
    <message>
        <source>Special groups set the tier</source>
        <translation>重点人群对应的走访等级</translation>
    </message>
    <message>
        <source>A household is visited as often as the most demanding tier of its residents' groups; without a group it is on the default tier (一般). A tier chosen by hand for a household stays.</source>
        <translation>一户按其居民所属重点人群中要求最高的等级走访;没有重点人群的按默认等级(一般)。为某户手动选定的等级不受影响。</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Only a sub-district admin may change them.</source>
        <translation>只有街道管理员可以修改。</translation>
    </message>
</context>
<context>
    <name>UserActions</name>
    <message>
        <source>&amp;User management…</source>
        <translation>用户管理(&amp;U)…</translation>
    </message>
    <message>
        <source>Not possible</source>
        <translation>无法操作</translation>
    </message>
</context>
<context>
    <name>UserForm</name>
    <message>
        <source>New user</source>
        <translation>新用户</translation>
    </message>
    <message>
        <source>Edit user</source>
        <translation>修改用户</translation>
    </message>
    <message>
        <source>&amp;Username</source>
        <translation>用户名(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>姓名(&amp;N)</translation>
    </message>
    <message>
        <source>P&amp;hone</source>
        <translation>电话(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Role</source>
        <translation>角色(&amp;R)</translation>
    </message>
    <message>
        <source>Grids / c&amp;ommunities</source>
        <translation>网格/社区(&amp;O)</translation>
    </message>
    <message>
        <source>A password is generated and shown once after saving.</source>
        <translation>保存后自动生成初始密码,只显示一次。</translation>
    </message>
    <message>
        <source>Tick the grids this grid worker is responsible for.</source>
        <translation>勾选这位网格员负责的网格。</translation>
    </message>
    <message>
        <source>Tick the communities this admin manages.</source>
        <translation>勾选这位管理员管理的社区。</translation>
    </message>
    <message>
        <source>A sub-district admin manages every community.</source>
        <translation>街道管理员管理全部社区,不需勾选。</translation>
    </message>
</context>
<context>
    <name>UsersDialog</name>
    <message>
        <source>User management</source>
        <translation>用户管理</translation>
    </message>
    <message>
        <source>You manage every user of the sub-district.</source>
        <translation>您可以管理本街道的全部用户。</translation>
    </message>
    <message>
        <source>You manage the grid workers of your communities. Other roles are added by the sub-district.</source>
        <translation>您可以管理本社区的网格员;其他角色由街道添加。</translation>
    </message>
    <message>
        <source>Show deactivated users</source>
        <translation>显示已停用的用户</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Grids / communities</source>
        <translation>网格/社区</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>None</source>
        <translation>未分配</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>在用</translation>
    </message>
    <message>
        <source>Deactivated</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>Last login</source>
        <translation>最近登录</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>从未登录</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>添加(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>修改(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Deactivate</source>
        <translation>停用(&amp;D)</translation>
    </message>
    <message>
        <source>Reset &amp;password…</source>
        <translation>重设密码(&amp;P)…</translation>
    </message>
    <message>
        <source>Add from &amp;Excel list…</source>
        <translation>从 Excel 名单批量添加(&amp;X)…</translation>
    </message>
    <message>
        <source>{n} users, {a} active</source>
        <translation>共 {n} 个用户,{a} 个在用</translation>
    </message>
    <message>
        <source>Re&amp;activate</source>
        <translation>重新启用(&amp;A)</translation>
    </message>
    <message>
        <source>Deactivate {u} ({n})? They can no longer log in; their records and their grids stay.</source>
        <translation>停用 {u}({n})?停用后不能再登录;其录入的记录和负责的网格保留。</translation>
    </message>
    <message>
        <source>Deactivate user</source>
        <translation>停用用户</translation>
    </message>
    <message>
        <source>Reactivate user</source>
        <translation>重新启用用户</translation>
    </message>
    <message>
        <source>{u} is active again. Reset their password so they can log in.</source>
        <translation>{u} 已重新启用。请为其重设密码后再登录。</translation>
    </message>
    <message>
        <source>Reset password</source>
        <translation>重设密码</translation>
    </message>
    <message>
        <source>Change your own password in Account → Change password.</source>
        <translation>自己的密码请在“账号 → 修改密码”中修改。</translation>
    </message>
    <message>
        <source>Give {u} ({n}) a new password? The old one stops working; the new one is shown once.</source>
        <translation>为 {u}({n})重设密码?原密码将失效,新密码只显示一次。</translation>
    </message>
    <message>
        <source>Add users from an Excel list</source>
        <translation>从 Excel 名单批量添加用户</translation>
    </message>
    <message>
        <source>{n} row(s) are invalid, so nobody was added.</source>
        <translation>有 {n} 行不合格,没有添加任何用户(全部改正后再导入)。</translation>
    </message>
    <message>
        <source>The list has no users.</source>
        <translation>名单里没有用户。</translation>
    </message>
    <message>
        <source>Columns: 用户名, 姓名, 角色, 网格/社区 (社区/网格 for a grid worker, the community for a community admin), 电话.</source>
        <translation>列:用户名、姓名、角色、网格/社区(网格员填“社区/网格”,社区管理员填社区名,多个用顿号分开)、电话。</translation>
    </message>
    <message>
        <source>{n} users added. Their initial passwords are shown once, below: save them to a file to hand out next.</source>
        <translation>已添加 {n} 个用户。初始密码只在下方显示这一次;接下来请保存为文件,以便分发。</translation>
    </message>
    <message>
        <source>Save the initial passwords</source>
        <translation>保存初始密码单</translation>
    </message>
    <message>
        <source>Saved {path}. Hand each user their password and delete the file afterwards.</source>
        <translation>已保存:{path}。请把密码分别交给本人,分发后删除该文件。</translation>
    </message>
    <message>
        <source>Not possible</source>
        <translation>无法操作</translation>
    </message>
</context>
<context>
    <name>VisitActions</name>
    <message>
        <source>&amp;Log a visit</source>
        <translation>登记走访(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Weekly problem list…</source>
        <translation>每周问题清单(&amp;W)…</translation>
    </message>
    <message>
        <source>&amp;Monthly statistical report…</source>
        <translation>月度统计表(&amp;M)…</translation>
    </message>
    <message>
        <source>Log a visit</source>
        <translation>登记走访</translation>
    </message>
    <message>
        <source>Select a household first.</source>
        <translation>请先选择一户住户。</translation>
    </message>
    <message>
        <source>Visit to {a} saved with {n} problem(s).</source>
        <translation>已保存 {a} 的走访记录,登记问题 {n} 个。</translation>
    </message>
    <message>
        <source>Visit</source>
        <translation>走访记录</translation>
    </message>
    <message>
        <source>Visit to {a} deleted.</source>
        <translation>已删除 {a} 的一条走访记录。</translation>
    </message>
    <message>
        <source>Visit to {a} corrected.</source>
        <translation>已更正 {a} 的走访记录。</translation>
    </message>
    <message>
        <source>Problem is now “{s}”.</source>
        <translation>问题状态已变为“{s}”。</translation>
    </message>
</context>
<context>
    <name>VisitDialog</name>
    <message>
        <source>Log a visit — {address}</source>
        <translation>登记走访 — {address}</translation>
    </message>
    <message>
        <source>Visit — {address}</source>
        <translation>走访记录 — {address}</translation>
    </message>
    <message>
        <source>member</source>
        <translation>家庭成员</translation>
    </message>
    <message>
        <source>Family situation, needs, what was explained</source>
        <translation>家庭情况、需求、宣传讲解了什么</translation>
    </message>
    <message>
        <source>&amp;Time</source>
        <translation>走访时间(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Worker</source>
        <translation>走访人(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;Method</source>
        <translation>走访方式(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Purpose</source>
        <translation>走访目的(&amp;P)</translation>
    </message>
    <message>
        <source>Residents present</source>
        <translation>在场居民</translation>
    </message>
    <message>
        <source>&amp;Situation</source>
        <translation>走访情况(&amp;S)</translation>
    </message>
    <message>
        <source>Add a problem (Alt+A)</source>
        <translation>添加问题(Alt+A)</translation>
    </message>
    <message>
        <source>Delete this visit</source>
        <translation>删除这条走访</translation>
    </message>
    <message>
        <source>Problems raised in this visit are handled on the Problems page.</source>
        <translation>本次走访登记的问题请在“问题”页办理。</translation>
    </message>
    <message>
        <source>Delete this visit? It disappears from the household's history and the deletion is sent to the sub-district with the next package. Problems raised in it stay on the Problems page.</source>
        <translation>删除这条走访记录吗?它将从这户的走访历史中消失,删除也会随下一个数据包报给街道。本次走访登记的问题仍保留在“问题”页。</translation>
    </message>
    <message>
        <source>Restored the visit you left unsaved on {when}.</source>
        <translation>已恢复您 {when} 未保存的走访记录(草稿)。</translation>
    </message>
    <message>
        <source>Draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <source>The visit is not saved</source>
        <translation>走访记录还没有保存</translation>
    </message>
    <message>
        <source>This visit has not been saved. Keep it as a draft to finish later, or discard what you typed?</source>
        <translation>这条走访记录还没有保存。存为草稿以后接着填,还是放弃已填写的内容?</translation>
    </message>
    <message>
        <source>Keep as draft</source>
        <translation>存为草稿</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>放弃</translation>
    </message>
    <message>
        <source>Keep editing</source>
        <translation>继续填写</translation>
    </message>
    <message>
        <source>Ctrl+Enter saves, Esc cancels</source>
        <translation>Ctrl+Enter 保存,Esc 取消</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Discard the draft</source>
        <translation>丢弃草稿</translation>
    </message>
    <message>
        <source>Problems raised in this visit</source>
        <translation>本次走访登记的问题</translation>
    </message>
    <message>
        <source>Problem {n}</source>
        <translation>问题 {n}</translation>
    </message>
</context>
<context>
    <name>WeeklyReportDialog</name>
    <message>
        <source>Weekly problem list</source>
        <translation>每周问题清单</translation>
    </message>
    <message>
        <source>Full names (internal use only)</source>
        <translation>显示完整姓名(仅限内部使用)</translation>
    </message>
    <message>
        <source>Print residents' full names. Every page then says the document holds personal information.</source>
        <translation>打印居民完整姓名;每页都会注明本文件含居民个人信息。</translation>
    </message>
    <message>
        <source>&amp;Week:</source>
        <translation>周次(&amp;W):</translation>
    </message>
    <message>
        <source>Week {n} of {y} ({a} – {b})</source>
        <translation>{y}年第{n}周({a} 至 {b})</translation>
    </message>
    <message>
        <source> — this week</source>
        <translation> — 本周</translation>
    </message>
    <message>
        <source>Collecting the problems…</source>
        <translation>正在汇总问题……</translation>
    </message>
    <message>
        <source>{pages} pages · new {new}, carried over {carried}, resolved {resolved}, overdue {overdue}</source>
        <translation>共 {pages} 页 · 新增 {new} 件,结转未办结 {carried} 件,办结 {resolved} 件,超期 {overdue} 件</translation>
    </message>
    <message>
        <source>Stopped. Choose a week, community or grid to build a list again.</source>
        <translation>已停止。选择周次、社区或网格即可重新生成清单。</translation>
    </message>
    <message>
        <source>The list could not be built:
{m}</source>
        <translation>问题清单生成失败:
{m}</translation>
    </message>
    <message>
        <source>Save weekly problem list</source>
        <translation>保存每周问题清单</translation>
    </message>
</context>
<context>
    <name>_FormDialog</name>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>Unencrypted database</source>
        <translation>数据库未加密</translation>
    </message>
    <message>
        <source>This database file is not encrypted: anyone who copies it can read it. Encrypt it now? (Other users then need a new password from an admin.)</source>
        <translation>这个数据库文件没有加密:任何人拷走都能读取。现在加密吗?(加密后,其他用户需由管理员重设密码。)</translation>
    </message>
    <message>
        <source>These files in the backup folder could not be encrypted (damaged or left over) and are still readable by anyone who copies them. Delete them once you are sure they are not needed:
{files}</source>
        <translation>备份文件夹里以下文件无法加密(已损坏或是残留文件),任何拷走它们的人都能读取。确认不再需要后,请删除它们:
{files}</translation>
    </message>
    <message>
        <source>The database is damaged</source>
        <translation>数据库已损坏</translation>
    </message>
    <message>
        <source>The database file failed its integrity check, so nothing will be written to it.

The newest sound backup was taken at {when} ({kind}). Restore it now? Records saved after that moment must be entered again; the damaged file is kept in the backup folder.</source>
        <translation>数据库文件没有通过完整性检查,为保护数据,程序不会再向它写入。

最近一份完好的备份是 {when}({kind})。现在用它恢复吗?这之后保存的记录需要重新录入;损坏的文件会保留在备份文件夹里。</translation>
    </message>
    <message>
        <source>Cannot open the database</source>
        <translation>无法打开数据库</translation>
    </message>
    <message>
        <source>Database location</source>
        <translation>数据库位置</translation>
    </message>
    <message>
        <source>Restore backup</source>
        <translation>从备份恢复</translation>
    </message>
    <message>
        <source>The backup of {when} was restored. Please log in again.</source>
        <translation>已恢复 {when} 的备份。请重新登录。</translation>
    </message>
    <message>
        <source>Backup</source>
        <translation>备份</translation>
    </message>
    <message>
        <source>Start-up check</source>
        <translation>启动检查</translation>
    </message>
    <message>
        <source>The window closes now. Log in again: the newest sound backup is offered.</source>
        <translation>窗口即将关闭。请重新登录,程序会提供最新的完好备份供恢复。</translation>
    </message>
</context>
<context>
    <name>exchange</name>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>files</name>
    <message>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>{suffix} file</source>
        <translation>{suffix} 文件</translation>
    </message>
    <message>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
<context>
    <name>parent</name>
    <message>
        <source>New user</source>
        <translation>新用户</translation>
    </message>
    <message>
        <source>Reset password</source>
        <translation>重设密码</translation>
    </message>
    <message>
        <source>The password of {u} is:

{p}

It is shown only now. Hand it over in person; it can be changed after logging in (Account → Change password).</source>
        <translation>{u} 的密码是:

{p}

只显示这一次。请当面交给本人;登录后可在“账号 → 修改密码”中修改。</translation>
    </message>
    <message>
        <source>Copy password</source>
        <translation>复制密码</translation>
    </message>
</context>
</TS>