<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>App</name>
        <message>
            <source>GridDesk cannot start</source>
            <translation>网格工作台无法启动</translation>
        </message>
        <message>
            <source>Preparing the demo district…</source>
            <translation>正在准备演示辖区数据…</translation>
        </message>
        <message>
            <source>Demo accounts: reception, coordinator, official, admin, dept_chengguan (one per department), gw_1 … — all with the password griddesk-demo.</source>
            <translation>演示账号：reception（接待员）、coordinator（调度员）、official（领导）、admin（管理员）、dept_chengguan（每个部门一个）、gw_1 …（网格员），密码均为 griddesk-demo。</translation>
        </message>
    </context>
    <context>
        <name>CaseTableModel</name>
        <message>
            <source>Case number</source>
            <translation>案件编号</translation>
        </message>
        <message>
            <source>Title</source>
            <translation>标题</translation>
        </message>
        <message>
            <source>Category</source>
            <translation>分类</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Urgency</source>
            <translation>紧急程度</translation>
        </message>
        <message>
            <source>Assignee</source>
            <translation>承办单位</translation>
        </message>
        <message>
            <source>Area</source>
            <translation>所属区域</translation>
        </message>
        <message>
            <source>Registered</source>
            <translation>受理时间</translation>
        </message>
        <message>
            <source>Deadline</source>
            <translation>处置时限</translation>
        </message>
        <message>
            <source>Remaining (working days)</source>
            <translation>剩余（工作日）</translation>
        </message>
        <message>
            <source>Overdue</source>
            <translation>已超期</translation>
        </message>
        <message>
            <source>Less than a quarter of the time is left</source>
            <translation>剩余时间不足四分之一</translation>
        </message>
        <message>
            <source> · supervised</source>
            <translation>· 已督办</translation>
        </message>
        <message>
            <source>Urgent</source>
            <translation>紧急</translation>
        </message>
        <message>
            <source>Normal</source>
            <translation>一般</translation>
        </message>
        <message>
            <source>overdue %1</source>
            <translation>超期 %1</translation>
        </message>
    </context>
    <context>
        <name>ErrorDialog</name>
        <message>
            <source>GridDesk: unexpected error</source>
            <translation>网格工作台：意外错误</translation>
        </message>
        <message>
            <source>Something went wrong that GridDesk did not expect. What you saved before is safe. Copy the details below and send them to your administrator.</source>
            <translation>网格工作台遇到了意外错误。此前保存的数据是安全的。请复制下面的详细信息并发送给系统管理员。</translation>
        </message>
        <message>
            <source>Copy details</source>
            <translation>复制详细信息</translation>
        </message>
        <message>
            <source>Open log folder</source>
            <translation>打开日志文件夹</translation>
        </message>
    </context>
    <context>
        <name>FirstRunDialog</name>
        <message>
            <source>GridDesk — first start</source>
            <translation>网格工作台 — 首次启动</translation>
        </message>
        <message>
            <source>Welcome. This database is empty. Name the org unit this desk belongs to, with the codes used by your county, and create the administrator's account. Categories and departments start from the national defaults; the county server replaces them at the first sync.</source>
            <translation>欢迎使用。当前数据库为空。请按本区县使用的编码填写本工作台所属的组织单位，并创建管理员账号。案件分类和职能部门先采用国家标准默认值，首次同步后由区县服务器下发的数据替换。</translation>
        </message>
        <message>
            <source>Org unit</source>
            <translation>组织单位</translation>
        </message>
        <message>
            <source>County code</source>
            <translation>区县编码</translation>
        </message>
        <message>
            <source>6 digits, e.g. 990101</source>
            <translation>6 位数字，例如 990101</translation>
        </message>
        <message>
            <source>County name</source>
            <translation>区县名称</translation>
        </message>
        <message>
            <source>e.g. 河西示范区</source>
            <translation>例如：河西示范区</translation>
        </message>
        <message>
            <source>Street code</source>
            <translation>街道编码</translation>
        </message>
        <message>
            <source>9 digits, starting with the county code</source>
            <translation>9 位数字，以区县编码开头</translation>
        </message>
        <message>
            <source>Street name</source>
            <translation>街道名称</translation>
        </message>
        <message>
            <source>e.g. 长河街道</source>
            <translation>例如：长河街道</translation>
        </message>
        <message>
            <source>Community code (optional)</source>
            <translation>社区编码（可选）</translation>
        </message>
        <message>
            <source>12 digits, for a community centre</source>
            <translation>12 位数字，社区服务中心填写</translation>
        </message>
        <message>
            <source>Community name (optional)</source>
            <translation>社区名称（可选）</translation>
        </message>
        <message>
            <source>Centre name</source>
            <translation>中心名称</translation>
        </message>
        <message>
            <source>shown on receipts and reports</source>
            <translation>显示在回执单和报表上</translation>
        </message>
        <message>
            <source>Administrator</source>
            <translation>管理员</translation>
        </message>
        <message>
            <source>Username</source>
            <translation>用户名</translation>
        </message>
        <message>
            <source>letters and digits, no spaces</source>
            <translation>字母和数字，不含空格</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>姓名</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>密码</translation>
        </message>
        <message>
            <source>at least 8 characters, letters and digits</source>
            <translation>至少 8 位，包含字母和数字</translation>
        </message>
        <message>
            <source>Password again</source>
            <translation>确认密码</translation>
        </message>
        <message>
            <source>Create and log in</source>
            <translation>创建并登录</translation>
        </message>
    </context>
    <context>
        <name>LoginDialog</name>
        <message>
            <source>GridDesk — log in</source>
            <translation>网格工作台 — 登录</translation>
        </message>
        <message>
            <source>GridDesk</source>
            <translation>网格工作台</translation>
        </message>
        <message>
            <source>Grid service management workbench · version %1</source>
            <translation>网格化服务管理工作台 · 版本 %1</translation>
        </message>
        <message>
            <source>Username</source>
            <translation>用户名</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>密码</translation>
        </message>
        <message>
            <source>&amp;Username</source>
            <translation>用户名(&amp;U)</translation>
        </message>
        <message>
            <source>&amp;Password</source>
            <translation>密码(&amp;P)</translation>
        </message>
        <message>
            <source>Log in</source>
            <translation>登录</translation>
        </message>
        <message>
            <source>Quit</source>
            <translation>退出</translation>
        </message>
        <message>
            <source>Enter your username.</source>
            <translation>请输入用户名。</translation>
        </message>
        <message>
            <source>Enter your password.</source>
            <translation>请输入密码。</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>GridDesk</source>
            <translation>网格工作台</translation>
        </message>
        <message>
            <source>&amp;File</source>
            <translation>文件(&amp;F)</translation>
        </message>
        <message>
            <source>&amp;Quit</source>
            <translation>退出(&amp;Q)</translation>
        </message>
        <message>
            <source>&amp;Help</source>
            <translation>帮助(&amp;H)</translation>
        </message>
        <message>
            <source>&amp;About GridDesk</source>
            <translation>关于网格工作台(&amp;A)</translation>
        </message>
        <message>
            <source>User: %1</source>
            <translation>用户：%1</translation>
        </message>
        <message>
            <source>Role: %1</source>
            <translation>角色：%1</translation>
        </message>
        <message>
            <source>Org unit: %1</source>
            <translation>单位：%1</translation>
        </message>
        <message>
            <source>Demo data</source>
            <translation>演示数据</translation>
        </message>
        <message>
            <source>About GridDesk</source>
            <translation>关于网格工作台</translation>
        </message>
        <message>
            <source>&lt;b&gt;GridDesk&lt;/b&gt; version %1&lt;br&gt;Data folder: %2&lt;br&gt;Log file: %3</source>
            <translation>&lt;b&gt;网格工作台&lt;/b&gt; 版本 %1&lt;br&gt;数据文件夹：%2&lt;br&gt;日志文件：%3</translation>
        </message>
    </context>
    <context>
        <name>QueueView</name>
        <message>
            <source>Cases</source>
            <translation>案件</translation>
        </message>
        <message numerus="yes">
            <source>%n case(s)</source>
            <translation>
                <numerusform>共 %n 件</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>Screens</name>
        <message>
            <source>Dispatch queue</source>
            <translation>派遣队列</translation>
        </message>
        <message>
            <source>Settings</source>
            <translation>设置</translation>
        </message>
    </context>
    <context>
        <name>SettingsView</name>
        <message>
            <source>Settings</source>
            <translation>设置</translation>
        </message>
        <message>
            <source>Office hours</source>
            <translation>办公时间</translation>
        </message>
        <message>
            <source>Morning</source>
            <translation>上午</translation>
        </message>
        <message>
            <source>Afternoon</source>
            <translation>下午</translation>
        </message>
        <message>
            <source>Deadlines in working hours count only these periods, on working days.</source>
            <translation>按工作时计算的时限只计工作日的上述时段。</translation>
        </message>
        <message>
            <source>County server</source>
            <translation>区县服务器</translation>
        </message>
        <message>
            <source>Server address</source>
            <translation>服务器地址</translation>
        </message>
        <message>
            <source>Interface</source>
            <translation>界面</translation>
        </message>
        <message>
            <source>Language</source>
            <translation>语言</translation>
        </message>
        <message>
            <source>A new language takes effect at the next start.</source>
            <translation>更改语言将在下次启动时生效。</translation>
        </message>
        <message>
            <source>Save settings</source>
            <translation>保存设置</translation>
        </message>
        <message>
            <source>Saved.</source>
            <translation>已保存。</translation>
        </message>
    </context>
    <context>
        <name>errors</name>
        <message>
            <source>The data folder {path} cannot be created or written. Check that the disk is connected and that you may write there, or start GridDesk with --data-dir and another folder.</source>
            <translation>无法创建或写入数据文件夹 {path}。请检查磁盘是否连接、是否有写入权限，或使用 --data-dir 指定其他文件夹启动。</translation>
        </message>
        <message>
            <source>The database {path} is in use by another program (perhaps GridDesk is already open). Close the other program and start again.</source>
            <translation>数据库 {path} 正被其他程序占用（可能网格工作台已经打开）。请关闭该程序后重新启动。</translation>
        </message>
        <message>
            <source>The database {path} is read-only. Ask the administrator to give you write access to the file and its folder. Nothing was changed.</source>
            <translation>数据库 {path} 为只读。请联系管理员为该文件及其所在文件夹开通写入权限。数据未作任何更改。</translation>
        </message>
        <message>
            <source>The disk holding {path} is full. Free some space and try again; nothing you saved before is lost.</source>
            <translation>{path} 所在磁盘已满。请清理磁盘空间后重试，此前保存的数据不会丢失。</translation>
        </message>
        <message>
            <source>The database {path} was written by a newer version of GridDesk. Install that version or newer; this version leaves the file untouched.</source>
            <translation>数据库 {path} 由更新版本的网格工作台创建。请安装该版本或更高版本；当前版本不会改动该文件。</translation>
        </message>
        <message>
            <source>The database {path} is damaged. Restore it from the copies in the backups folder next to it, or ask the administrator for help.</source>
            <translation>数据库 {path} 已损坏。请用同目录 backups 文件夹中的备份恢复，或联系管理员。</translation>
        </message>
        <message>
            <source>The database {path} cannot be used: {detail}</source>
            <translation>数据库 {path} 无法使用：{detail}</translation>
        </message>
    </context>
    <context>
        <name>services</name>
        <message>
            <source>The password must have at least {minimum} characters.</source>
            <translation>密码至少需要 {minimum} 个字符。</translation>
        </message>
        <message>
            <source>The password must mix letters with digits or symbols.</source>
            <translation>密码须同时包含字母和数字或符号。</translation>
        </message>
        <message>
            <source>Wrong username or password.</source>
            <translation>用户名或密码错误。</translation>
        </message>
        <message>
            <source>Too many failed attempts. The account is locked; try again in {minutes} minutes.</source>
            <translation>登录失败次数过多，账号已临时锁定，请 {minutes} 分钟后再试。</translation>
        </message>
        <message>
            <source>The username must be 1 to 60 characters without spaces.</source>
            <translation>用户名须为 1 至 60 个字符，且不含空格。</translation>
        </message>
        <message>
            <source>Enter the person's name.</source>
            <translation>请输入姓名。</translation>
        </message>
        <message>
            <source>Unknown role {role}.</source>
            <translation>未知角色 {role}。</translation>
        </message>
        <message>
            <source>The username {username} is taken; choose another.</source>
            <translation>用户名 {username} 已被使用，请换一个。</translation>
        </message>
        <message>
            <source>Choose an existing org unit.</source>
            <translation>请选择已有的组织单位。</translation>
        </message>
        <message>
            <source>Choose a category from the list; {code} is not known.</source>
            <translation>请从列表中选择分类；分类代码 {code} 不存在。</translation>
        </message>
        <message>
            <source>The case {case_id} does not exist.</source>
            <translation>案件 {case_id} 不存在。</translation>
        </message>
        <message>
            <source>Enter a short title for the case.</source>
            <translation>请填写案件标题。</translation>
        </message>
        <message>
            <source>The title is {length} characters long; keep it under {maximum}.</source>
            <translation>标题有 {length} 个字，请控制在 {maximum} 字以内。</translation>
        </message>
        <message>
            <source>The category {name} is no longer in use; choose another.</source>
            <translation>分类“{name}”已停用，请选择其他分类。</translation>
        </message>
        <message>
            <source>Choose the street, community or grid where the problem is.</source>
            <translation>请选择问题所在的街道、社区或网格。</translation>
        </message>
        <message>
            <source>The place you chose lies outside your area; choose one inside it.</source>
            <translation>所选地点不在您的辖区内，请选择辖区内的地点。</translation>
        </message>
        <message>
            <source>Choose an active department, grid worker or org unit to dispatch to.</source>
            <translation>请选择在用的职能部门、网格员或组织单位作为派遣对象。</translation>
        </message>
        <message>
            <source>Enter the resident ID number.</source>
            <translation>请输入居民身份证号码。</translation>
        </message>
        <message>
            <source>A resident ID number must be 18 characters; you typed {length}.</source>
            <translation>居民身份证号码应为18位，您输入了{length}位。</translation>
        </message>
        <message>
            <source>This is an old 15-digit ID number; enter the 18-digit number from the current ID card.</source>
            <translation>这是旧版15位身份证号码，请输入现行居民身份证上的18位号码。</translation>
        </message>
        <message>
            <source>Character {position} is “{char}”; an ID number has only digits, with X allowed only as the last character.</source>
            <translation>第{position}位是“{char}”；身份证号码只能由数字组成，仅最后一位可以是X。</translation>
        </message>
        <message>
            <source>The first two digits “{region}” are not a province code; check the start of the number.</source>
            <translation>前两位“{region}”不是有效的省级行政区划代码，请核对号码开头。</translation>
        </message>
        <message>
            <source>The birth date {birth_date} (characters 7–14) does not exist; check the month and day.</source>
            <translation>出生日期{birth_date}（第7至14位）不存在，请核对月份和日期。</translation>
        </message>
        <message>
            <source>The birth date {birth_date} (characters 7–14) is in the future.</source>
            <translation>出生日期{birth_date}（第7至14位）晚于今天。</translation>
        </message>
        <message>
            <source>The birth date {birth_date} (characters 7–14) is before 1900.</source>
            <translation>出生日期{birth_date}（第7至14位）早于1900年。</translation>
        </message>
        <message>
            <source>The last character should be {expected}, not {got}; check the number for a typo.</source>
            <translation>最后一位应为{expected}，而不是{got}，请检查号码是否输错。</translation>
        </message>
        <message>
            <source>Enter a phone number.</source>
            <translation>请输入联系电话。</translation>
        </message>
        <message>
            <source>A mobile number must have 11 digits; you typed {length}.</source>
            <translation>手机号码应为11位，您输入了{length}位。</translation>
        </message>
        <message>
            <source>“{prefix}” is not a mobile number prefix; mobile numbers start with 13 to 19.</source>
            <translation>“{prefix}”不是有效的手机号段，手机号码应以13至19开头。</translation>
        </message>
        <message>
            <source>A mobile number cannot have an extension.</source>
            <translation>手机号码不能带分机号。</translation>
        </message>
        <message>
            <source>Add the area code in front of the landline number, for example 024-12345678.</source>
            <translation>请在固定电话号码前加上区号，例如024-12345678。</translation>
        </message>
        <message>
            <source>After area code {area_code} the number must have 8 digits; you typed {length}.</source>
            <translation>区号{area_code}后的号码应为8位，您输入了{length}位。</translation>
        </message>
        <message>
            <source>After area code {area_code} the number must have 7 or 8 digits; you typed {length}.</source>
            <translation>区号{area_code}后的号码应为7位或8位，您输入了{length}位。</translation>
        </message>
        <message>
            <source>An extension has 1 to 6 digits; you typed {length}.</source>
            <translation>分机号应为1至6位数字，您输入了{length}位。</translation>
        </message>
        <message>
            <source>This is not a recognisable phone number; enter a mobile number such as 13812345678 or a landline with its area code such as 024-12345678.</source>
            <translation>无法识别该电话号码，请输入手机号码（如13812345678）或带区号的固定电话（如024-12345678）。</translation>
        </message>
        <message>
            <source>reception staff</source>
            <translation>接待员</translation>
        </message>
        <message>
            <source>coordinator</source>
            <translation>调度员</translation>
        </message>
        <message>
            <source>department</source>
            <translation>职能部门</translation>
        </message>
        <message>
            <source>grid worker</source>
            <translation>网格员</translation>
        </message>
        <message>
            <source>official</source>
            <translation>领导</translation>
        </message>
        <message>
            <source>administrator</source>
            <translation>管理员</translation>
        </message>
        <message>
            <source>view cases</source>
            <translation>查看案件</translation>
        </message>
        <message>
            <source>register visits</source>
            <translation>登记来访</translation>
        </message>
        <message>
            <source>open cases</source>
            <translation>受理案件</translation>
        </message>
        <message>
            <source>dispatch cases</source>
            <translation>派遣案件</translation>
        </message>
        <message>
            <source>sign for cases</source>
            <translation>签收案件</translation>
        </message>
        <message>
            <source>return cases</source>
            <translation>退回案件</translation>
        </message>
        <message>
            <source>report results</source>
            <translation>反馈处置结果</translation>
        </message>
        <message>
            <source>verify results</source>
            <translation>核查处置结果</translation>
        </message>
        <message>
            <source>close cases</source>
            <translation>结案</translation>
        </message>
        <message>
            <source>close cases on the spot</source>
            <translation>当场办结</translation>
        </message>
        <message>
            <source>record evaluations</source>
            <translation>登记回访评价</translation>
        </message>
        <message>
            <source>escalate cases</source>
            <translation>上报案件</translation>
        </message>
        <message>
            <source>supervise cases</source>
            <translation>督办案件</translation>
        </message>
        <message>
            <source>extend deadlines</source>
            <translation>延期</translation>
        </message>
        <message>
            <source>suspend and resume cases</source>
            <translation>挂账和恢复案件</translation>
        </message>
        <message>
            <source>void cases</source>
            <translation>作废案件</translation>
        </message>
        <message>
            <source>comment on cases</source>
            <translation>添加备注</translation>
        </message>
        <message>
            <source>reveal personal data</source>
            <translation>查看个人信息明文</translation>
        </message>
        <message>
            <source>purge personal data</source>
            <translation>清除个人信息</translation>
        </message>
        <message>
            <source>view reports</source>
            <translation>查看报表</translation>
        </message>
        <message>
            <source>export the bulletin</source>
            <translation>导出通报</translation>
        </message>
        <message>
            <source>view the map</source>
            <translation>查看地图</translation>
        </message>
        <message>
            <source>synchronise with the county</source>
            <translation>与区县同步</translation>
        </message>
        <message>
            <source>manage users</source>
            <translation>管理用户</translation>
        </message>
        <message>
            <source>change settings</source>
            <translation>修改设置</translation>
        </message>
        <message>
            <source>Your role ({role_label}) may not {action_label}.</source>
            <translation>您的角色（{role_label}）无权{action_label}。</translation>
        </message>
        <message>
            <source>Case {number} is not assigned to you, so you cannot act on it.</source>
            <translation>案件 {number} 未派给您，您不能办理。</translation>
        </message>
        <message>
            <source>Case {number} was escalated to the county; only the county centre can act on it now.</source>
            <translation>案件 {number} 已上报区县，目前只能由区县中心办理。</translation>
        </message>
        <message>
            <source>Case {number} lies outside your area of responsibility.</source>
            <translation>案件 {number} 不在您的管辖范围内。</translation>
        </message>
        <message>
            <source>registered</source>
            <translation>已受理</translation>
        </message>
        <message>
            <source>dispatched</source>
            <translation>已派遣</translation>
        </message>
        <message>
            <source>being handled</source>
            <translation>处置中</translation>
        </message>
        <message>
            <source>returned</source>
            <translation>已退回</translation>
        </message>
        <message>
            <source>escalated</source>
            <translation>已上报</translation>
        </message>
        <message>
            <source>awaiting verification</source>
            <translation>待核查</translation>
        </message>
        <message>
            <source>suspended</source>
            <translation>挂账</translation>
        </message>
        <message>
            <source>closed</source>
            <translation>已结案</translation>
        </message>
        <message>
            <source>voided</source>
            <translation>已作废</translation>
        </message>
        <message>
            <source>registration</source>
            <translation>受理</translation>
        </message>
        <message>
            <source>dispatch</source>
            <translation>派遣</translation>
        </message>
        <message>
            <source>acknowledgement</source>
            <translation>签收</translation>
        </message>
        <message>
            <source>return</source>
            <translation>退回</translation>
        </message>
        <message>
            <source>feedback</source>
            <translation>反馈</translation>
        </message>
        <message>
            <source>verification</source>
            <translation>核查</translation>
        </message>
        <message>
            <source>closing</source>
            <translation>结案</translation>
        </message>
        <message>
            <source>evaluation</source>
            <translation>回访评价</translation>
        </message>
        <message>
            <source>escalation</source>
            <translation>上报</translation>
        </message>
        <message>
            <source>supervision</source>
            <translation>督办</translation>
        </message>
        <message>
            <source>deadline extension</source>
            <translation>延期</translation>
        </message>
        <message>
            <source>suspension</source>
            <translation>挂账</translation>
        </message>
        <message>
            <source>resumption</source>
            <translation>恢复办理</translation>
        </message>
        <message>
            <source>voiding</source>
            <translation>作废</translation>
        </message>
        <message>
            <source>comment</source>
            <translation>备注</translation>
        </message>
        <message>
            <source>event id</source>
            <translation>事件标识</translation>
        </message>
        <message>
            <source>case id</source>
            <translation>案件标识</translation>
        </message>
        <message>
            <source>event type</source>
            <translation>事件类型</translation>
        </message>
        <message>
            <source>event time</source>
            <translation>事件时间</translation>
        </message>
        <message>
            <source>acting user</source>
            <translation>操作人</translation>
        </message>
        <message>
            <source>event data</source>
            <translation>事件数据</translation>
        </message>
        <message>
            <source>case number</source>
            <translation>案件编号</translation>
        </message>
        <message>
            <source>title</source>
            <translation>标题</translation>
        </message>
        <message>
            <source>description</source>
            <translation>问题描述</translation>
        </message>
        <message>
            <source>category</source>
            <translation>案件类别</translation>
        </message>
        <message>
            <source>source</source>
            <translation>案件来源</translation>
        </message>
        <message>
            <source>urgency</source>
            <translation>紧急程度</translation>
        </message>
        <message>
            <source>org unit</source>
            <translation>所属单位</translation>
        </message>
        <message>
            <source>address</source>
            <translation>事发地址</translation>
        </message>
        <message>
            <source>latitude</source>
            <translation>纬度</translation>
        </message>
        <message>
            <source>longitude</source>
            <translation>经度</translation>
        </message>
        <message>
            <source>visit</source>
            <translation>来访记录</translation>
        </message>
        <message>
            <source>assignee type</source>
            <translation>承办对象类型</translation>
        </message>
        <message>
            <source>assignee</source>
            <translation>承办对象</translation>
        </message>
        <message>
            <source>acknowledgement deadline</source>
            <translation>签收时限</translation>
        </message>
        <message>
            <source>handling deadline</source>
            <translation>办理时限</translation>
        </message>
        <message>
            <source>note</source>
            <translation>说明</translation>
        </message>
        <message>
            <source>reason</source>
            <translation>原因</translation>
        </message>
        <message>
            <source>result</source>
            <translation>处置结果</translation>
        </message>
        <message>
            <source>attachments</source>
            <translation>附件</translation>
        </message>
        <message>
            <source>verification outcome</source>
            <translation>核查结论</translation>
        </message>
        <message>
            <source>resolution</source>
            <translation>结案方式</translation>
        </message>
        <message>
            <source>satisfaction</source>
            <translation>满意度</translation>
        </message>
        <message>
            <source>evaluation method</source>
            <translation>回访方式</translation>
        </message>
        <message>
            <source>higher org unit</source>
            <translation>上级单位</translation>
        </message>
        <message>
            <source>new deadline</source>
            <translation>新的办理时限</translation>
        </message>
        <message>
            <source>original case</source>
            <translation>原案件</translation>
        </message>
        <message>
            <source>comment text</source>
            <translation>备注内容</translation>
        </message>
        <message>
            <source>The {field_label} must be a date and time with a UTC offset, such as 2026-11-20T17:00:00+08:00.</source>
            <translation>{field_label}必须是带时区偏移的日期时间，例如 2026-11-20T17:00:00+08:00。</translation>
        </message>
        <message>
            <source>The {field_label} must be an object.</source>
            <translation>{field_label}格式不正确，应为 JSON 对象。</translation>
        </message>
        <message>
            <source>The {field_label} is missing.</source>
            <translation>缺少{field_label}。</translation>
        </message>
        <message>
            <source>The {field_label} must be text.</source>
            <translation>{field_label}必须是文本。</translation>
        </message>
        <message>
            <source>The {field_label} must not be empty.</source>
            <translation>{field_label}不能为空。</translation>
        </message>
        <message>
            <source>The {field_label} is too long (at most {max} characters).</source>
            <translation>{field_label}过长（最多 {max} 个字符）。</translation>
        </message>
        <message>
            <source>The {field_label} "{value}" is not valid; expected one of: {choices}.</source>
            <translation>{field_label}“{value}”无效，应为以下之一：{choices}。</translation>
        </message>
        <message>
            <source>The {field_label} must be a UUID in lower case, such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301.</source>
            <translation>{field_label}必须是小写的 UUID，例如 3f2504e0-4f89-41d3-9a0c-0305e82c3301。</translation>
        </message>
        <message>
            <source>The {field_label} must be an org unit code of 6, 9, 12 or 15 digits.</source>
            <translation>{field_label}必须是 6、9、12 或 15 位数字的单位代码。</translation>
        </message>
        <message>
            <source>The {field_label} must be a number from {low} to {high}.</source>
            <translation>{field_label}必须是 {low} 至 {high} 之间的数值。</translation>
        </message>
        <message>
            <source>The latitude and longitude must be given together.</source>
            <translation>纬度和经度必须同时填写。</translation>
        </message>
        <message>
            <source>The acknowledgement deadline must not be later than the handling deadline.</source>
            <translation>签收时限不能晚于办理时限。</translation>
        </message>
        <message>
            <source>The {field_label} must be a list.</source>
            <translation>{field_label}必须是列表。</translation>
        </message>
        <message>
            <source>The {field_label} must be true or false.</source>
            <translation>{field_label}必须为“是”或“否”。</translation>
        </message>
        <message>
            <source>This case is {state_label}, so {event_label} is not possible. Allowed now: {allowed}.</source>
            <translation>本案件当前为“{state_label}”状态，不能进行“{event_label}”。当前可进行：{allowed}。</translation>
        </message>
        <message>
            <source>The new deadline ({new}) must be later than the current deadline ({current}).</source>
            <translation>新的办理时限（{new}）必须晚于当前办理时限（{current}）。</translation>
        </message>
        <message>
            <source>A case cannot be a duplicate of itself.</source>
            <translation>案件不能作为自身的重复件。</translation>
        </message>
        <message>
            <source>This case has not been registered yet, so {event_label} is not possible. Its first event must be its registration.</source>
            <translation>本案件尚未受理，不能进行“{event_label}”。第一步必须是受理。</translation>
        </message>
        <message>
            <source>This event belongs to case {event_case}, not to case {case}.</source>
            <translation>该事件属于案件 {event_case}，不属于案件 {case}。</translation>
        </message>
        <message>
            <source>This case has already been registered; it cannot be registered again.</source>
            <translation>本案件已受理，不能重复受理。</translation>
        </message>
        <message>
            <source>The reference entry lacks the field {field}.</source>
            <translation>基础数据条目缺少字段 {field}。</translation>
        </message>
        <message>
            <source>Org unit {id}: a {level} code has {length} digits (county 6, street 9, community 12, grid 15).</source>
            <translation>组织单位 {id}：{level} 级编码应为 {length} 位（区县 6 位、街道 9 位、社区 12 位、网格 15 位）。</translation>
        </message>
        <message>
            <source>A holiday's kind is holiday or workday, not {kind}.</source>
            <translation>节假日类型应为 holiday（放假）或 workday（调休上班），而不是 {kind}。</translation>
        </message>
        <message>
            <source>{setting} must be a whole number from {low} to {high}.</source>
            <translation>{setting} 应为 {low} 到 {high} 之间的整数。</translation>
        </message>
        <message>
            <source>Score weights need the keys {keys}.</source>
            <translation>得分权重须包含以下键：{keys}。</translation>
        </message>
        <message>
            <source>Score weights cannot be negative.</source>
            <translation>得分权重不能为负数。</translation>
        </message>
        <message>
            <source>The four rate weights must add up to 1 (now {total}).</source>
            <translation>四项比率的权重之和须为 1（当前为 {total}）。</translation>
        </message>
        <message>
            <source>Enter a full address starting with http:// or https://, for example {example}.</source>
            <translation>请输入以 http:// 或 https:// 开头的完整地址，例如 {example}。</translation>
        </message>
        <message>
            <source>The code must have exactly {length} digits; you typed {typed}.</source>
            <translation>编码应为 {length} 位数字，您输入了 {typed} 位。</translation>
        </message>
        <message>
            <source>The code must start with the code above it ({parent}).</source>
            <translation>编码须以上级编码（{parent}）开头。</translation>
        </message>
        <message>
            <source>Enter the name.</source>
            <translation>请输入名称。</translation>
        </message>
        <message>
            <source>This database is already set up.</source>
            <translation>该数据库已完成初始化。</translation>
        </message>
        <message>
            <source>The two passwords differ; type the same password twice.</source>
            <translation>两次输入的密码不一致，请重新输入。</translation>
        </message>
        <message>
            <source>No holiday calendar is known for {years}; working days in those years are counted Monday to Friday and deadlines may be off.</source>
            <translation>{years}年度暂无节假日安排数据，该年度工作日暂按周一至周五计算，办理时限可能有偏差。</translation>
        </message>
        <message>
            <source>Office hours need at least one period.</source>
            <translation>办公时间至少应设置一个时段。</translation>
        </message>
        <message>
            <source>{value} is not a time of day; write office times as HH:MM, for example 08:30.</source>
            <translation>“{value}”不是有效的时间，办公时间请按“时:分”格式填写，例如 08:30。</translation>
        </message>
        <message>
            <source>The office period {start}–{end} must end after it starts.</source>
            <translation>办公时段 {start}–{end} 的结束时间应晚于开始时间。</translation>
        </message>
        <message>
            <source>The office periods {first} and {second} overlap or are out of order; list them from morning to evening without overlapping.</source>
            <translation>办公时段 {first} 与 {second} 存在重叠或顺序有误，请按从早到晚的顺序填写，且时段之间不得重叠。</translation>
        </message>
        <message>
            <source>Office hours should be a list of periods, each with a start and an end time, for example 08:30 to 12:00.</source>
            <translation>办公时间应按时段填写，每个时段包含开始时间和结束时间，例如 08:30 至 12:00。</translation>
        </message>
        <message>
            <source>The number of demo cases must be zero or more.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>This database already holds cases; the demo district can only be loaded into an empty database.</source>
            <translation type="unfinished" />
        </message>
    </context>
</TS>
