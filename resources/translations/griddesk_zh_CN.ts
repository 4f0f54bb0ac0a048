<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>AboutDialog</name>
        <message>
            <source>About GridDesk</source>
            <translation>关于网格工作台</translation>
        </message>
        <message>
            <source>GridDesk</source>
            <translation>网格工作台</translation>
        </message>
        <message>
            <source>Version %1</source>
            <translation>版本 %1</translation>
        </message>
        <message>
            <source>Qt %1 · PySide6 %2 · Python %3 · %4</source>
            <translation>Qt %1 · PySide6 %2 · Python %3 · %4</translation>
        </message>
        <message>
            <source>(not writing a log file)</source>
            <translation>（未写入日志文件）</translation>
        </message>
        <message>
            <source>Data folder:</source>
            <translation>数据文件夹：</translation>
        </message>
        <message>
            <source>Log file:</source>
            <translation>日志文件：</translation>
        </message>
        <message>
            <source>Program folder:</source>
            <translation>程序文件夹：</translation>
        </message>
        <message>
            <source>&amp;Open data folder</source>
            <translation>打开数据文件夹(&amp;O)</translation>
        </message>
        <message>
            <source>&amp;Copy details</source>
            <translation>复制信息(&amp;C)</translation>
        </message>
        <message>
            <source>The data folder could not be opened here. Copy its path above and open it in the file manager.</source>
            <translation>无法在此打开数据文件夹。请复制上面的路径，在文件管理器中打开。</translation>
        </message>
    </context>
    <context>
        <name>AcknowledgeDialog</name>
        <message>
            <source>Sign for the case</source>
            <translation>签收案件</translation>
        </message>
        <message>
            <source>Sign for by:</source>
            <translation>签收时限：</translation>
        </message>
        <message>
            <source>Handling deadline:</source>
            <translation>办理时限：</translation>
        </message>
        <message>
            <source>By signing for it you accept the case and its deadline for your unit.</source>
            <translation>签收即表示本单位接受该案件及其办理时限。</translation>
        </message>
        <message>
            <source>Sign for</source>
            <translation>签收</translation>
        </message>
    </context>
    <context>
        <name>ActionDialog</name>
        <message>
            <source>Case %1: %2</source>
            <translation>案件 %1：%2</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
    </context>
    <context>
        <name>AlertWatcher</name>
        <message numerus="yes">
            <source>%n case(s) became overdue</source>
            <translation>
                <numerusform>%n 件案件已超期</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n case(s) are near their deadline</source>
            <translation>
                <numerusform>%n 件案件即将到期</numerusform>
            </translation>
        </message>
        <message>
            <source>GridDesk deadline alerts</source>
            <translation>网格工作台时限提醒</translation>
        </message>
        <message>
            <source>Deadline alerts</source>
            <translation>时限提醒</translation>
        </message>
    </context>
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
        <message>
            <source>GridDesk cannot save</source>
            <translation>网格工作台无法保存</translation>
        </message>
    </context>
    <context>
        <name>ArchiveModel</name>
        <message>
            <source>Period</source>
            <translation>统计时段</translation>
        </message>
        <message>
            <source>Scope</source>
            <translation>统计范围</translation>
        </message>
        <message>
            <source>Figures as at</source>
            <translation>数据截至</translation>
        </message>
        <message>
            <source>Exported</source>
            <translation>导出时间</translation>
        </message>
        <message>
            <source>By</source>
            <translation>导出人</translation>
        </message>
        <message>
            <source>Format</source>
            <translation>格式</translation>
        </message>
        <message>
            <source>Figures hash</source>
            <translation>数据校验码</translation>
        </message>
        <message>
            <source>File</source>
            <translation>文件</translation>
        </message>
        <message>
            <source>%1-%2 first half</source>
            <translation>%1年%2月上半月</translation>
        </message>
        <message>
            <source>%1-%2 second half</source>
            <translation>%1年%2月下半月</translation>
        </message>
        <message>
            <source>%1-%2</source>
            <translation>%1年%2月</translation>
        </message>
        <message>
            <source>Scheduled export</source>
            <translation>定时导出</translation>
        </message>
        <message>
            <source>Figures: %1</source>
            <translation>数据校验码：%1</translation>
        </message>
        <message>
            <source>File: %1</source>
            <translation>文件校验码：%1</translation>
        </message>
    </context>
    <context>
        <name>ArchiveTab</name>
        <message>
            <source>Every bulletin exported here. Re-export writes one again with the figures as they stood when it was exported, and says whether they match.</source>
            <translation>本机导出过的全部通报。重新导出按原导出时的数据重新生成，并核对数据是否一致。</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>刷新</translation>
        </message>
        <message>
            <source>Re-export…</source>
            <translation>重新导出…</translation>
        </message>
        <message>
            <source>No bulletin has been exported yet.</source>
            <translation>尚未导出过通报。</translation>
        </message>
        <message>
            <source>%1 bulletin(s) exported</source>
            <translation>已导出通报 %1 份</translation>
        </message>
        <message>
            <source>Re-export the bulletin</source>
            <translation>重新导出通报</translation>
        </message>
        <message>
            <source>Writing the bulletin again…</source>
            <translation>正在重新生成通报…</translation>
        </message>
        <message>
            <source>Written to %1. Its figures match the archived bulletin (hash %2).</source>
            <translation>已保存到 %1。数据与存档通报一致（校验码 %2）。</translation>
        </message>
        <message>
            <source>Written to %1. Its figures DIFFER from the archived bulletin (hash %2): a setting, a name or the holiday calendar changed since.</source>
            <translation>已保存到 %1。数据与存档通报不一致（校验码 %2）：此后设置、名称或节假日安排有变动。</translation>
        </message>
        <message>
            <source>The bulletin could not be written to %1: %2</source>
            <translation>通报无法保存到 %1：%2</translation>
        </message>
    </context>
    <context>
        <name>AttachmentPicker</name>
        <message>
            <source>Tick a file that is a document (证件/信件): its location data is removed.</source>
            <translation>勾选属于证件或信件的文件：将删除其中的位置信息。</translation>
        </message>
        <message>
            <source>Add files…</source>
            <translation>添加文件…</translation>
        </message>
        <message>
            <source>Paste image</source>
            <translation>粘贴图片</translation>
        </message>
        <message>
            <source>Ctrl+V — a screenshot or a copied picture</source>
            <translation>Ctrl+V — 截图或复制的图片</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>移除</translation>
        </message>
        <message>
            <source>Keep the originals</source>
            <translation>保留原图</translation>
        </message>
        <message>
            <source>Photos larger than 2,560 pixels are made smaller unless this is ticked; documents always lose their location data.</source>
            <translation>不勾选时，长边超过 2560 像素的照片会被压缩；证件和信件始终会删除位置信息。</translation>
        </message>
        <message>
            <source>Attach photos or documents</source>
            <translation>添加照片或文件</translation>
        </message>
        <message>
            <source>Photos and PDF documents (*.jpg *.jpeg *.png *.webp *.pdf);;All files (*)</source>
            <translation>照片和 PDF 文件 (*.jpg *.jpeg *.png *.webp *.pdf);;所有文件 (*)</translation>
        </message>
        <message>
            <source>%1 could not be copied into the data folder; check that the file can be read and the disk is not full.</source>
            <translation>%1 无法复制到数据文件夹；请检查文件能否读取、磁盘是否已满。</translation>
        </message>
        <message>
            <source>The clipboard holds no picture; copy a screenshot or a photo first.</source>
            <translation>剪贴板中没有图片；请先复制截图或照片。</translation>
        </message>
        <message>
            <source>pasted</source>
            <translation>粘贴图片</translation>
        </message>
        <message>
            <source>The pasted picture could not be saved in the data folder.</source>
            <translation>粘贴的图片无法保存到数据文件夹。</translation>
        </message>
        <message>
            <source>Tick the documents (证件/信件): their location data is removed.</source>
            <translation>请勾选证件或信件：将删除其中的位置信息。</translation>
        </message>
        <message>
            <source>Drop photos or PDF files here, or paste a screenshot (Ctrl+V).</source>
            <translation>将照片或 PDF 文件拖到此处，或粘贴截图（Ctrl+V）。</translation>
        </message>
    </context>
    <context>
        <name>AttachmentsPane</name>
        <message>
            <source>No attachments.</source>
            <translation>没有附件。</translation>
        </message>
        <message numerus="yes">
            <source>%n attachment entry(s) from the county could not be read and are not shown.</source>
            <translation>
                <numerusform>有 %n 条来自县里的附件记录无法读取，未显示。</numerusform>
            </translation>
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
            <source>Working days left</source>
            <translation>剩余工作日</translation>
        </message>
        <message>
            <source>%1 · supervised</source>
            <translation>%1 · 已督办</translation>
        </message>
        <message>
            <source>Overdue</source>
            <translation>已超期</translation>
        </message>
        <message>
            <source>Case state</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Less than a quarter of the time is left</source>
            <translation>剩余时限不足四分之一</translation>
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
        <name>CloseDialog</name>
        <message>
            <source>Close the case</source>
            <translation>结案</translation>
        </message>
        <message>
            <source>Settled (with a note)</source>
            <translation>已办结（填写说明）</translation>
        </message>
        <message>
            <source>Settled on the spot</source>
            <translation>当场办结</translation>
        </message>
        <message>
            <source>How:</source>
            <translation>结案方式：</translation>
        </message>
        <message>
            <source>Note:</source>
            <translation>备注：</translation>
        </message>
        <message>
            <source>How was the case settled?</source>
            <translation>案件是如何办结的？</translation>
        </message>
        <message>
            <source>Close case</source>
            <translation>结案</translation>
        </message>
    </context>
    <context>
        <name>CommentDialog</name>
        <message>
            <source>Comment on the case</source>
            <translation>添加备注</translation>
        </message>
        <message>
            <source>Comment:</source>
            <translation>备注：</translation>
        </message>
        <message>
            <source>Files:</source>
            <translation>附件：</translation>
        </message>
        <message>
            <source>Add comment</source>
            <translation>添加备注</translation>
        </message>
    </context>
    <context>
        <name>Dashboard</name>
        <message>
            <source>On-time rate</source>
            <translation>按期结案率</translation>
        </message>
        <message>
            <source>Cases registered</source>
            <translation>受理数</translation>
        </message>
        <message>
            <source>Cases closed</source>
            <translation>结案数</translation>
        </message>
        <message>
            <source>Cases overdue</source>
            <translation>超期数</translation>
        </message>
        <message>
            <source>This period has not ended yet; figures as of %1</source>
            <translation>本期尚未结束，数据截至 %1</translation>
        </message>
        <message>
            <source>Cases by category</source>
            <translation>各类别案件数</translation>
        </message>
        <message>
            <source>Cases per day</source>
            <translation>每日案件数</translation>
        </message>
        <message>
            <source>Day of the month</source>
            <translation>日期</translation>
        </message>
        <message>
            <source>Closure rates by department</source>
            <translation>各部门结案率</translation>
        </message>
        <message>
            <source>Closure rate</source>
            <translation>结案率</translation>
        </message>
        <message>
            <source>Worst overdue cases (working days)</source>
            <translation>超期最久的案件（工作日）</translation>
        </message>
        <message>
            <source>Overdue (working days)</source>
            <translation>超期时长（工作日）</translation>
        </message>
    </context>
    <context>
        <name>DetailPanel</name>
        <message>
            <source>Select a case to see its details.</source>
            <translation>请选择一个案件查看详情。</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Who</source>
            <translation>操作人</translation>
        </message>
        <message>
            <source>What</source>
            <translation>事项</translation>
        </message>
        <message>
            <source>State after</source>
            <translation>办理后状态</translation>
        </message>
        <message>
            <source>When</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Change</source>
            <translation>变更</translation>
        </message>
        <message>
            <source>Sign for by</source>
            <translation>签收时限</translation>
        </message>
        <message>
            <source>Deadline</source>
            <translation>处置时限</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>备注</translation>
        </message>
        <message>
            <source>Details</source>
            <translation>详情</translation>
        </message>
        <message>
            <source>Timeline</source>
            <translation>流转记录</translation>
        </message>
        <message>
            <source>Deadlines</source>
            <translation>时限记录</translation>
        </message>
        <message>
            <source>Attachments</source>
            <translation>附件</translation>
        </message>
        <message>
            <source> · overdue by %1 working days</source>
            <translation> · 已超期 %1 个工作日</translation>
        </message>
        <message>
            <source> · %1 working days left</source>
            <translation> · 剩余 %1 个工作日</translation>
        </message>
        <message>
            <source>Case number:</source>
            <translation>案件编号：</translation>
        </message>
        <message>
            <source>Title:</source>
            <translation>标题：</translation>
        </message>
        <message>
            <source>Description:</source>
            <translation>问题描述：</translation>
        </message>
        <message>
            <source>Category:</source>
            <translation>类别：</translation>
        </message>
        <message>
            <source>Urgency:</source>
            <translation>缓急程度：</translation>
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
            <source>Source:</source>
            <translation>来源：</translation>
        </message>
        <message>
            <source>Area:</source>
            <translation>所属区域：</translation>
        </message>
        <message>
            <source>Address:</source>
            <translation>地址：</translation>
        </message>
        <message>
            <source>Location:</source>
            <translation>坐标：</translation>
        </message>
        <message>
            <source>Registered:</source>
            <translation>受理：</translation>
        </message>
        <message>
            <source>Assignee:</source>
            <translation>承办单位：</translation>
        </message>
        <message>
            <source>Dispatched:</source>
            <translation>派遣时间：</translation>
        </message>
        <message>
            <source>Sign for by:</source>
            <translation>签收时限：</translation>
        </message>
        <message>
            <source>Signed for:</source>
            <translation>签收时间：</translation>
        </message>
        <message>
            <source>Deadline:</source>
            <translation>办理时限：</translation>
        </message>
        <message>
            <source>Reported:</source>
            <translation>反馈时间：</translation>
        </message>
        <message>
            <source>Closed:</source>
            <translation>结案时间：</translation>
        </message>
        <message>
            <source>Escalated to:</source>
            <translation>上报至：</translation>
        </message>
        <message>
            <source>Duplicate of:</source>
            <translation>重复于：</translation>
        </message>
        <message>
            <source>Satisfaction:</source>
            <translation>满意度：</translation>
        </message>
        <message>
            <source>dispatched %1 · returned %2 · reworked %3 · extended %4 · supervised %5</source>
            <translation>派遣 %1 次 · 退回 %2 次 · 返工 %3 次 · 延期 %4 次 · 督办 %5 次</translation>
        </message>
        <message>
            <source>Counts:</source>
            <translation>办理次数：</translation>
        </message>
        <message>
            <source>Visitor:</source>
            <translation>来访人：</translation>
        </message>
        <message>
            <source>Phone:</source>
            <translation>联系电话：</translation>
        </message>
        <message>
            <source>ID number:</source>
            <translation>身份证号：</translation>
        </message>
        <message>
            <source>Visitor address:</source>
            <translation>来访人住址：</translation>
        </message>
        <message>
            <source>Satisfied</source>
            <translation>满意</translation>
        </message>
        <message>
            <source>Basically satisfied</source>
            <translation>基本满意</translation>
        </message>
        <message>
            <source>Dissatisfied</source>
            <translation>不满意</translation>
        </message>
        <message>
            <source>to %1, deadline %2</source>
            <translation>派至%1，时限 %2</translation>
        </message>
        <message>
            <source>passed</source>
            <translation>通过</translation>
        </message>
        <message>
            <source>failed</source>
            <translation>未通过</translation>
        </message>
        <message numerus="yes">
            <source>%n attachment(s)</source>
            <translation>
                <numerusform>附件 %n 个</numerusform>
            </translation>
        </message>
        <message>
            <source>Rejected by the county: %1</source>
            <translation>区县未接受：%1</translation>
        </message>
        <message>
            <source>Not yet accepted by the county</source>
            <translation>尚未提交到区县</translation>
        </message>
        <message>
            <source>Sent before 1.1; the sender was not verified</source>
            <translation>1.1 之前提交，未核验提交人</translation>
        </message>
        <message>
            <source>Accepted by the county; the sender is not recorded</source>
            <translation>已提交到区县，未记录提交人</translation>
        </message>
        <message>
            <source>Sent by %1</source>
            <translation>提交：%1</translation>
        </message>
        <message>
            <source>Rejected by the county; not part of the case</source>
            <translation>区县未接受，不计入案件</translation>
        </message>
        <message>
            <source>Not yet sent to the county</source>
            <translation>尚未上传至区县</translation>
        </message>
        <message>
            <source>Dispatched to %1</source>
            <translation>派遣至%1</translation>
        </message>
        <message>
            <source>Extended</source>
            <translation>延期</translation>
        </message>
        <message>
            <source>Suspended (clock stopped)</source>
            <translation>挂账（暂停计时）</translation>
        </message>
        <message>
            <source>Resumed</source>
            <translation>恢复办理</translation>
        </message>
        <message>
            <source>Attachments (%1)</source>
            <translation>附件（%1）</translation>
        </message>
    </context>
    <context>
        <name>DispatchDialog</name>
        <message>
            <source>Dispatch</source>
            <translation>派遣</translation>
        </message>
        <message numerus="yes">
            <source>Dispatch %n selected case(s)</source>
            <translation>
                <numerusform>批量派遣所选 %n 件案件</numerusform>
            </translation>
        </message>
        <message>
            <source>Department</source>
            <translation>职能部门</translation>
        </message>
        <message>
            <source>Grid worker</source>
            <translation>网格员</translation>
        </message>
        <message>
            <source>Higher unit</source>
            <translation>上级单位</translation>
        </message>
        <message>
            <source>Dispatch to:</source>
            <translation>派遣给：</translation>
        </message>
        <message>
            <source>Assignee:</source>
            <translation>承办单位：</translation>
        </message>
        <message>
            <source>Instructions for the assignee (optional)</source>
            <translation>对承办单位的要求（可不填）</translation>
        </message>
        <message>
            <source>Note:</source>
            <translation>备注：</translation>
        </message>
        <message>
            <source>Case number</source>
            <translation>案件编号</translation>
        </message>
        <message>
            <source>Title</source>
            <translation>标题</translation>
        </message>
        <message>
            <source>Sign for by</source>
            <translation>签收时限</translation>
        </message>
        <message>
            <source>Deadline</source>
            <translation>处置时限</translation>
        </message>
        <message>
            <source>Deadlines:</source>
            <translation>办理时限：</translation>
        </message>
    </context>
    <context>
        <name>DocumentExports</name>
        <message>
            <source>The draft 通报 as a Word document: the figures, the ranking against the previous period, the overdue and urged cases and the demands, to edit and sign.</source>
            <translation>通报初稿（Word 文档）：总体数据、与上期对比的排名、超期及督办案件和下步工作要求，可修改后签发。</translation>
        </message>
        <message>
            <source>Word draft…</source>
            <translation>Word 正文…</translation>
        </message>
        <message>
            <source>PDF…</source>
            <translation>PDF…</translation>
        </message>
        <message>
            <source>The bulletin's tables as a PDF, ready to print or send.</source>
            <translation>通报考核表的 PDF，可直接打印或发送。</translation>
        </message>
        <message>
            <source>Export the 通报</source>
            <translation>导出通报</translation>
        </message>
        <message>
            <source>Word document (*.docx)</source>
            <translation>Word 文档 (*.docx)</translation>
        </message>
        <message>
            <source>Export the bulletin as PDF</source>
            <translation>将通报导出为 PDF</translation>
        </message>
        <message>
            <source>PDF document (*.pdf)</source>
            <translation>PDF 文档 (*.pdf)</translation>
        </message>
        <message>
            <source>Writing the 通报…</source>
            <translation>正在生成通报…</translation>
        </message>
        <message>
            <source>Writing the PDF…</source>
            <translation>正在生成 PDF…</translation>
        </message>
        <message>
            <source>Written to %1</source>
            <translation>已保存到 %1</translation>
        </message>
        <message>
            <source>Export</source>
            <translation>导出</translation>
        </message>
        <message>
            <source>%1 could not be written: %2</source>
            <translation>无法写入 %1：%2</translation>
        </message>
    </context>
    <context>
        <name>DuplicatesPanel</name>
        <message>
            <source>Open cases of the same category in this grid or within 100 m, from the last 30 days. If the visitor reports the same problem, add the visit to that case.</source>
            <translation>近30天内本网格或100米范围内同类别的未办结案件。如来访人反映的是同一问题，请将本次来访并入该案件。</translation>
        </message>
        <message>
            <source>Case</source>
            <translation>案件</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Where</source>
            <translation>位置</translation>
        </message>
        <message>
            <source>Registered</source>
            <translation>受理时间</translation>
        </message>
        <message>
            <source>Title</source>
            <translation>标题</translation>
        </message>
        <message>
            <source>Add the visit to this case</source>
            <translation>并入此案件</translation>
        </message>
        <message>
            <source>Ctrl+J</source>
            <translation>Ctrl+J</translation>
        </message>
        <message>
            <source>Show case</source>
            <translation>查看案件</translation>
        </message>
        <message>
            <source>Double-click a row</source>
            <translation>双击行即可</translation>
        </message>
        <message>
            <source>%1 m away</source>
            <translation>相距 %1 米</translation>
        </message>
        <message>
            <source>same grid</source>
            <translation>同一网格</translation>
        </message>
    </context>
    <context>
        <name>Enquiry</name>
        <message>
            <source>{year}-{month:02d}-{day:02d} {time}</source>
            <translation>{year}年{month}月{day}日 {time}</translation>
        </message>
        <message>
            <source>the handling unit</source>
            <translation>承办单位</translation>
        </message>
        <message>
            <source>grid worker %1</source>
            <translation>网格员 %1</translation>
        </message>
        <message>
            <source> (past its deadline)</source>
            <translation>（已超期）</translation>
        </message>
        <message>
            <source>Waiting to be dispatched by the centre</source>
            <translation>待中心派遣</translation>
        </message>
        <message>
            <source>Completed at</source>
            <translation>办结时间</translation>
        </message>
        <message>
            <source>Deadline</source>
            <translation>办理时限</translation>
        </message>
        <message>
            <source>To be handled by</source>
            <translation>承诺办结时间</translation>
        </message>
        <message>
            <source>Case number</source>
            <translation>案件编号</translation>
        </message>
        <message>
            <source>Request</source>
            <translation>诉求内容</translation>
        </message>
        <message>
            <source>Category</source>
            <translation>问题分类</translation>
        </message>
        <message>
            <source>Place</source>
            <translation>发生地点</translation>
        </message>
        <message>
            <source>Visitor</source>
            <translation>来访人</translation>
        </message>
        <message>
            <source>Registered at</source>
            <translation>受理时间</translation>
        </message>
        <message>
            <source>Current state</source>
            <translation>当前状态</translation>
        </message>
        <message>
            <source>Handled by</source>
            <translation>承办单位</translation>
        </message>
        <message numerus="yes">
            <source>… %n earlier step(s) not shown</source>
            <translation>
                <numerusform>…（中间另有 %n 个步骤未列出）</numerusform>
            </translation>
        </message>
        <message>
            <source>Case progress notice</source>
            <translation>办理进度告知单</translation>
        </message>
        <message>
            <source>Progress so far</source>
            <translation>办理过程</translation>
        </message>
        <message>
            <source>Looked up at %1. For later enquiries quote the case number and the query code printed on your receipt.</source>
            <translation>查询时间：%1。今后查询请提供回执单上的案件编号和查询码。</translation>
        </message>
    </context>
    <context>
        <name>EnquiryDialog</name>
        <message>
            <source>Progress enquiry</source>
            <translation>查询办理进度</translation>
        </message>
        <message>
            <source>The case number printed on the receipt</source>
            <translation>回执单上的案件编号</translation>
        </message>
        <message>
            <source>The query code printed on the receipt</source>
            <translation>回执单上的查询码</translation>
        </message>
        <message>
            <source>Look up</source>
            <translation>查询</translation>
        </message>
        <message>
            <source>Enter</source>
            <translation>回车</translation>
        </message>
        <message>
            <source>e.g. 13812345678</source>
            <translation>例如 13812345678</translation>
        </message>
        <message>
            <source>When the visitor has no receipt: their cases in your area</source>
            <translation>来访人未带回执单时：按电话号码查找其在本辖区登记的案件</translation>
        </message>
        <message>
            <source>Find cases</source>
            <translation>查找案件</translation>
        </message>
        <message>
            <source>Case number</source>
            <translation>案件编号</translation>
        </message>
        <message>
            <source>Query code</source>
            <translation>查询码</translation>
        </message>
        <message>
            <source>Or the visitor's phone</source>
            <translation>或来访人电话</translation>
        </message>
        <message>
            <source>This phone number has several cases; pick the one the visitor asks about:</source>
            <translation>该电话号码有多件案件，请选择来访人询问的一件：</translation>
        </message>
        <message>
            <source>Case progress notice</source>
            <translation>办理进度告知单</translation>
        </message>
        <message>
            <source>progress</source>
            <translation>办理进度</translation>
        </message>
        <message>
            <source>Save the progress notice as PDF</source>
            <translation>将办理进度告知单另存为 PDF</translation>
        </message>
        <message>
            <source>Type the case number and the query code from the visitor's receipt and press Enter. A visitor without the receipt: type their phone number and press Find cases. Every enquiry is written to the audit log.</source>
            <translation>请输入来访人回执单上的案件编号和查询码，然后按回车。来访人未带回执单的，请输入其电话号码并点击“查找案件”。每次查询均记入审计日志。</translation>
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
        <name>EscalateDialog</name>
        <message>
            <source>Escalate the case</source>
            <translation>上报案件</translation>
        </message>
        <message>
            <source>Escalate to:</source>
            <translation>上报至：</translation>
        </message>
        <message>
            <source>Reason:</source>
            <translation>原因：</translation>
        </message>
        <message>
            <source>Why can the street not settle it?</source>
            <translation>为何本级无法解决？</translation>
        </message>
        <message>
            <source>Escalate</source>
            <translation>上报</translation>
        </message>
    </context>
    <context>
        <name>EvaluateDialog</name>
        <message>
            <source>Record the visitor's evaluation</source>
            <translation>登记回访评价</translation>
        </message>
        <message>
            <source>Satisfied</source>
            <translation>满意</translation>
        </message>
        <message>
            <source>Basically satisfied</source>
            <translation>基本满意</translation>
        </message>
        <message>
            <source>Dissatisfied</source>
            <translation>不满意</translation>
        </message>
        <message>
            <source>Satisfaction:</source>
            <translation>满意度：</translation>
        </message>
        <message>
            <source>Phone call</source>
            <translation>电话回访</translation>
        </message>
        <message>
            <source>Text message</source>
            <translation>短信回访</translation>
        </message>
        <message>
            <source>Home visit</source>
            <translation>上门回访</translation>
        </message>
        <message>
            <source>On site</source>
            <translation>现场回访</translation>
        </message>
        <message>
            <source>Asked by:</source>
            <translation>回访方式：</translation>
        </message>
        <message>
            <source>Note:</source>
            <translation>备注：</translation>
        </message>
        <message>
            <source>What did the visitor say?</source>
            <translation>群众的意见</translation>
        </message>
        <message>
            <source>Record evaluation</source>
            <translation>确认回访</translation>
        </message>
    </context>
    <context>
        <name>ExtendDialog</name>
        <message>
            <source>Extend the deadline</source>
            <translation>延长办理时限</translation>
        </message>
        <message>
            <source>Current deadline:</source>
            <translation>当前时限：</translation>
        </message>
        <message>
            <source>New deadline:</source>
            <translation>新时限：</translation>
        </message>
        <message>
            <source>Reason:</source>
            <translation>原因：</translation>
        </message>
        <message>
            <source>Why is more time needed?</source>
            <translation>为何需要延期？</translation>
        </message>
        <message>
            <source>Extend</source>
            <translation>延期</translation>
        </message>
    </context>
    <context>
        <name>FeedbackDialog</name>
        <message>
            <source>Report the result</source>
            <translation>反馈办理结果</translation>
        </message>
        <message>
            <source>Result:</source>
            <translation>办理结果：</translation>
        </message>
        <message>
            <source>What was done, when, and what is the result?</source>
            <translation>何时做了什么，结果如何？</translation>
        </message>
        <message>
            <source>Attachments:</source>
            <translation>附件：</translation>
        </message>
        <message>
            <source>Report result</source>
            <translation>反馈</translation>
        </message>
    </context>
    <context>
        <name>FilterPanel</name>
        <message>
            <source>Search number, title, text, address</source>
            <translation>搜索编号、标题、内容、地址</translation>
        </message>
        <message>
            <source>Save…</source>
            <translation>保存…</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>删除</translation>
        </message>
        <message>
            <source>Saved filters</source>
            <translation>常用筛选</translation>
        </message>
        <message>
            <source>Case state</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Any deadline</source>
            <translation>全部时限</translation>
        </message>
        <message>
            <source>Overdue</source>
            <translation>已超期</translation>
        </message>
        <message>
            <source>Near the deadline</source>
            <translation>临期</translation>
        </message>
        <message>
            <source>Overdue or near</source>
            <translation>超期或临期</translation>
        </message>
        <message>
            <source>Deadline</source>
            <translation>处置时限</translation>
        </message>
        <message>
            <source>All categories</source>
            <translation>全部类别</translation>
        </message>
        <message>
            <source>All assignees</source>
            <translation>全部承办单位</translation>
        </message>
        <message>
            <source>All areas</source>
            <translation>全部区域</translation>
        </message>
        <message>
            <source>Category</source>
            <translation>分类</translation>
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
            <source>Any urgency</source>
            <translation>全部缓急</translation>
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
            <source>Any source</source>
            <translation>全部来源</translation>
        </message>
        <message>
            <source>Walk-in</source>
            <translation>来访</translation>
        </message>
        <message>
            <source>Patrol</source>
            <translation>巡查</translation>
        </message>
        <message>
            <source>Hotline</source>
            <translation>热线</translation>
        </message>
        <message>
            <source>Online</source>
            <translation>网络</translation>
        </message>
        <message>
            <source>County</source>
            <translation>区县</translation>
        </message>
        <message>
            <source>Urgency and source</source>
            <translation>缓急与来源</translation>
        </message>
        <message>
            <source>Registered between</source>
            <translation>受理日期</translation>
        </message>
        <message>
            <source>Supervised only</source>
            <translation>仅看督办件</translation>
        </message>
        <message>
            <source>Clear filters</source>
            <translation>清除筛选</translation>
        </message>
        <message>
            <source>%1 (%2)</source>
            <translation>%1（%2）</translation>
        </message>
        <message>
            <source>(none chosen)</source>
            <translation>（未选择）</translation>
        </message>
        <message>
            <source>Save filter</source>
            <translation>保存筛选</translation>
        </message>
        <message>
            <source>Name of the filter:</source>
            <translation>筛选名称：</translation>
        </message>
        <message>
            <source>Delete filter</source>
            <translation>删除筛选</translation>
        </message>
    </context>
    <context>
        <name>FirstRunDialog</name>
        <message>
            <source>GridDesk — first start</source>
            <translation>网格工作台 — 首次启动</translation>
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
            <source>Desk code (optional)</source>
            <translation>台号（选填）</translation>
        </message>
        <message>
            <source>Administrator</source>
            <translation>管理员</translation>
        </message>
        <message>
            <source>Connecting to the county server…</source>
            <translation>正在连接区（县）服务器…</translation>
        </message>
        <message>
            <source>The county server cannot be reached at this address. Check the address and the network, or set this desk up without network.</source>
            <translation>无法通过该地址连接区（县）服务器。请检查地址和网络，或选择无网络时设置。</translation>
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
            <source>Welcome. This database is empty. If this desk reaches the county server, log in there with your county account: your org unit and the reference data come with it. Without network, name this desk's org unit and create the administrator's account.</source>
            <translation>欢迎使用。数据库目前为空。本机能连上区（县）服务器时，请用区县账号登录：您的组织单位和基础数据会随登录一并下载。没有网络时，请填写本机所属的组织单位并创建管理员账号。</translation>
        </message>
        <message>
            <source>&amp;Join the county server</source>
            <translation>加入区（县）服务器(&amp;J)</translation>
        </message>
        <message>
            <source>Set up &amp;without network</source>
            <translation>无网络时设置(&amp;W)</translation>
        </message>
        <message>
            <source>County server</source>
            <translation>区（县）服务器</translation>
        </message>
        <message>
            <source>Server address</source>
            <translation>服务器地址</translation>
        </message>
        <message>
            <source>your county account</source>
            <translation>您的区县账号</translation>
        </message>
        <message>
            <source>The county's administrator creates your account. After this first login you can also log in here without network.</source>
            <translation>账号由区县管理员创建。首次登录后，没有网络时也可以在本机登录。</translation>
        </message>
        <message>
            <source>2 digits, if the county reserved one</source>
            <translation>2 位数字，区县预留了台号时填写</translation>
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
            <source>Connect and log in</source>
            <translation>连接并登录</translation>
        </message>
        <message>
            <source>Create and log in</source>
            <translation>创建并登录</translation>
        </message>
    </context>
    <context>
        <name>GridPanel</name>
        <message>
            <source>Close</source>
            <translation>关闭</translation>
        </message>
        <message>
            <source>Open cases</source>
            <translation>在办案件</translation>
        </message>
        <message>
            <source>Overdue</source>
            <translation>已超期</translation>
        </message>
        <message>
            <source>Closed this period</source>
            <translation>本期结案</translation>
        </message>
        <message>
            <source>Registered this period</source>
            <translation>本期受理</translation>
        </message>
        <message>
            <source>Grid workers</source>
            <translation>网格员</translation>
        </message>
        <message>
            <source>Counted over the cases you may see.</source>
            <translation>按您有权查看的案件统计。</translation>
        </message>
        <message>
            <source>first half</source>
            <translation>上半月</translation>
        </message>
        <message>
            <source>second half</source>
            <translation>下半月</translation>
        </message>
        <message>
            <source>This period: %1-%2, %3 (%4 to %5)</source>
            <translation>本期：%1年%2月%3（%4至%5）</translation>
        </message>
        <message>
            <source>none assigned</source>
            <translation>未配备</translation>
        </message>
    </context>
    <context>
        <name>HistoryPanel</name>
        <message>
            <source>Part of the name</source>
            <translation>姓名的一部分</translation>
        </message>
        <message>
            <source>Whole number or its last digits</source>
            <translation>完整号码或尾号</translation>
        </message>
        <message>
            <source>Case number or part of it</source>
            <translation>案件编号或其中一部分</translation>
        </message>
        <message>
            <source>Search</source>
            <translation>查询</translation>
        </message>
        <message>
            <source>Enter in any search field</source>
            <translation>在任一查询框中按回车</translation>
        </message>
        <message>
            <source>Dates</source>
            <translation>日期</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>姓名</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>电话</translation>
        </message>
        <message>
            <source>Export…</source>
            <translation>导出…</translation>
        </message>
        <message>
            <source>The visits found, as an Excel file: names and phones masked, no ID numbers</source>
            <translation>将查到的来访记录导出为 Excel 文件：姓名和电话脱敏显示，不含身份证号码</translation>
        </message>
        <message>
            <source>Case number</source>
            <translation>案件编号</translation>
        </message>
        <message>
            <source>The first 500 visits found; narrow the search to see others.</source>
            <translation>仅显示前500条来访记录，请缩小查询范围查看其余记录。</translation>
        </message>
        <message numerus="yes">
            <source>%n visit(s) found</source>
            <translation>
                <numerusform>共查到 %n 条来访记录</numerusform>
            </translation>
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
        <message>
            <source>This desk is not connected to a county server, so only people who have logged in here before can log in. An administrator sets the server's address in Settings.</source>
            <translation>本机尚未连接区（县）服务器，只有以前在本机登录过的人员才能登录。请管理员在“设置”中填写服务器地址。</translation>
        </message>
        <message>
            <source>Checking with the county server…</source>
            <translation>正在向区（县）服务器核验…</translation>
        </message>
        <message>
            <source>The county accepted the login, but this desk could not keep the account (its org unit did not arrive). Try again, or synchronise first.</source>
            <translation>区县已通过登录，但本机未能保存该账号（其组织单位尚未下载）。请重试，或先进行同步。</translation>
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
            <source>&amp;Cases</source>
            <translation>案件(&amp;C)</translation>
        </message>
        <message>
            <source>Progress &amp;enquiry…</source>
            <translation>查询办理进度(&amp;E)…</translation>
        </message>
        <message>
            <source>&amp;Help</source>
            <translation>帮助(&amp;H)</translation>
        </message>
        <message>
            <source>&amp;Manual</source>
            <translation>操作手册(&amp;M)</translation>
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
    </context>
    <context>
        <name>ManualWindow</name>
        <message>
            <source>GridDesk manual</source>
            <translation>网格工作台操作手册</translation>
        </message>
        <message>
            <source>Contents</source>
            <translation>目录</translation>
        </message>
        <message>
            <source>◀ Back</source>
            <translation>◀ 后退</translation>
        </message>
        <message>
            <source>Forward ▶</source>
            <translation>前进 ▶</translation>
        </message>
        <message>
            <source>The manual was not found in %1.</source>
            <translation>在 %1 中找不到操作手册。</translation>
        </message>
    </context>
    <context>
        <name>MapPage</name>
        <message>
            <source>Cases</source>
            <translation>案件</translation>
        </message>
        <message>
            <source>Grids</source>
            <translation>网格</translation>
        </message>
        <message>
            <source>Heat map</source>
            <translation>热力图</translation>
        </message>
        <message>
            <source>Plain background</source>
            <translation>空白底图</translation>
        </message>
        <message>
            <source>Legend</source>
            <translation>图例</translation>
        </message>
        <message>
            <source>Click to fold or unfold the legend</source>
            <translation>点击收起或展开图例</translation>
        </message>
        <message>
            <source>Hide this note</source>
            <translation>隐藏此提示</translation>
        </message>
        <message>
            <source>Open cases: %1</source>
            <translation>在办案件：%1</translation>
        </message>
        <message>
            <source>Overdue: %1</source>
            <translation>超期：%1</translation>
        </message>
        <message>
            <source>%1 cases</source>
            <translation>%1 件案件</translation>
        </message>
        <message>
            <source>Click to zoom in</source>
            <translation>点击放大查看</translation>
        </message>
        <message>
            <source>Click to open the case in the queue</source>
            <translation>点击在派遣队列中打开此案件</translation>
        </message>
        <message>
            <source>No base map is set: grids and cases on a plain background.</source>
            <translation>未设置底图：网格和案件显示在空白底图上。</translation>
        </message>
        <message>
            <source>Click the place on the map; the grid is found from its boundary.</source>
            <translation>在地图上点击地点，系统按网格边界自动判断所属网格。</translation>
        </message>
    </context>
    <context>
        <name>MapPickerDialog</name>
        <message>
            <source>Pick on the map</source>
            <translation>在地图上选点</translation>
        </message>
        <message>
            <source>Click the place of the visit on the map.</source>
            <translation>请在地图上点击来访事项的发生地点。</translation>
        </message>
        <message>
            <source>Use this place</source>
            <translation>使用此位置</translation>
        </message>
        <message>
            <source>%1, %2 lies in none of your grids. Click inside a grid (the outlined areas).</source>
            <translation>%1, %2 不在您辖区的任何网格内，请在网格（带边框的区域）内点击。</translation>
        </message>
        <message>
            <source>%1, %2 — grid: %3 (%4)</source>
            <translation>%1, %2 — 所属网格：%3（%4）</translation>
        </message>
        <message>
            <source>Click the place on a map; its grid is filled in for you.</source>
            <translation>在地图上点选地点，自动填入所属网格。</translation>
        </message>
    </context>
    <context>
        <name>MapView</name>
        <message>
            <source>Map</source>
            <translation>地图</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>刷新</translation>
        </message>
        <message>
            <source>Loading…</source>
            <translation>正在加载…</translation>
        </message>
        <message>
            <source>The map could not be loaded; see the log file.</source>
            <translation>地图加载失败，请查看日志文件。</translation>
        </message>
        <message numerus="yes">
            <source>%n case(s) on the map</source>
            <translation>
                <numerusform>地图上共 %n 件案件</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source> · %n without a location</source>
            <translation>
                <numerusform> · %n 件无坐标</numerusform>
            </translation>
        </message>
        <message>
            <source>The base map cannot be shown (%1) — showing a plain background.</source>
            <translation>无法显示底图（%1），现以空白底图显示。</translation>
        </message>
        <message>
            <source>Overdue since %1</source>
            <translation>已超期，时限为 %1</translation>
        </message>
        <message>
            <source>Deadline %1</source>
            <translation>办理时限 %1</translation>
        </message>
    </context>
    <context>
        <name>MissingFilesBox</name>
        <message>
            <source>Steps waiting for a file</source>
            <translation>等待文件的步骤</translation>
        </message>
        <message>
            <source>The county has not received a file these steps name, so they and the later steps of their case are not sent. Find the file (the photo or document as it was attached, e.g. on the camera or a USB stick) and re-attach it: it goes up with the next round. A recorded step cannot be sent without its file, because steps are never changed once recorded.</source>
            <translation>区（县）平台没有收到这些步骤所附的文件，因此这些步骤及其案件之后的步骤都无法上报。请找到该文件（添加时的原照片或文档，例如在相机或U盘上）并重新附加，下一轮同步时即上传。已记录的步骤一经记录不能修改，所以不能不带文件上报。</translation>
        </message>
        <message>
            <source>Recorded</source>
            <translation>记录时间</translation>
        </message>
        <message>
            <source>Step</source>
            <translation>步骤</translation>
        </message>
        <message>
            <source>Files the county lacks</source>
            <translation>区（县）平台缺少的文件</translation>
        </message>
        <message>
            <source>Re-attach file…</source>
            <translation>重新附加文件…</translation>
        </message>
        <message>
            <source>Open case</source>
            <translation>打开案件</translation>
        </message>
        <message>
            <source>%1 · case %2</source>
            <translation>%1 · 案件 %2</translation>
        </message>
        <message>
            <source>%1 (not on this computer)</source>
            <translation>%1（不在本机）</translation>
        </message>
        <message>
            <source>%1 (here; goes up next round)</source>
            <translation>%1（已在本机，下一轮上传）</translation>
        </message>
        <message>
            <source>Find %1</source>
            <translation>查找 %1</translation>
        </message>
        <message>
            <source>Photos and PDF documents (*.jpg *.jpeg *.png *.webp *.pdf);;All files (*)</source>
            <translation>照片和 PDF 文档 (*.jpg *.jpeg *.png *.webp *.pdf);;所有文件 (*)</translation>
        </message>
        <message>
            <source>%1 is back on this computer; it goes to the county with the next round.</source>
            <translation>%1 已放回本机，下一轮同步时上传到区（县）平台。</translation>
        </message>
    </context>
    <context>
        <name>PaperDialog</name>
        <message>
            <source>Paper size</source>
            <translation>纸张大小</translation>
        </message>
        <message>
            <source>Print…</source>
            <translation>打印…</translation>
        </message>
        <message>
            <source>Ctrl+P — print preview, then print</source>
            <translation>Ctrl+P：先打印预览，再打印</translation>
        </message>
        <message>
            <source>Save as PDF…</source>
            <translation>另存为 PDF…</translation>
        </message>
        <message>
            <source>Ctrl+S</source>
            <translation>Ctrl+S</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>关闭</translation>
        </message>
        <message>
            <source>Esc</source>
            <translation>Esc</translation>
        </message>
        <message>
            <source>Paper</source>
            <translation>纸张</translation>
        </message>
        <message>
            <source>Save as PDF</source>
            <translation>另存为 PDF</translation>
        </message>
        <message>
            <source>Print preview</source>
            <translation>打印预览</translation>
        </message>
        <message>
            <source>PDF files (*.pdf)</source>
            <translation>PDF 文件 (*.pdf)</translation>
        </message>
        <message>
            <source>The file %1 could not be written: %2</source>
            <translation>无法写入文件 %1：%2</translation>
        </message>
    </context>
    <context>
        <name>PhotoViewer</name>
        <message>
            <source>Photos</source>
            <translation>照片</translation>
        </message>
        <message>
            <source>◀ Previous</source>
            <translation>◀ 上一张</translation>
        </message>
        <message>
            <source>Next ▶</source>
            <translation>下一张 ▶</translation>
        </message>
        <message>
            <source>Zoom out (−)</source>
            <translation>缩小（−）</translation>
        </message>
        <message>
            <source>Zoom in (+)</source>
            <translation>放大（+）</translation>
        </message>
        <message>
            <source>Fit</source>
            <translation>适合窗口</translation>
        </message>
        <message>
            <source>100 %</source>
            <translation>100 %</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>关闭</translation>
        </message>
        <message>
            <source>No photos.</source>
            <translation>没有照片。</translation>
        </message>
        <message>
            <source>Loading…</source>
            <translation>正在加载…</translation>
        </message>
        <message>
            <source>This photo cannot be shown: the file is damaged or not a photo.</source>
            <translation>无法显示这张照片：文件已损坏或不是照片。</translation>
        </message>
    </context>
    <context>
        <name>QueueActions</name>
        <message>
            <source>Dispatch</source>
            <translation>派遣</translation>
        </message>
        <message>
            <source>Sign for</source>
            <translation>签收</translation>
        </message>
        <message>
            <source>Return</source>
            <translation>退回</translation>
        </message>
        <message>
            <source>Report result</source>
            <translation>反馈</translation>
        </message>
        <message>
            <source>Verify</source>
            <translation>核查</translation>
        </message>
        <message>
            <source>Close case</source>
            <translation>结案</translation>
        </message>
        <message>
            <source>Evaluate</source>
            <translation>回访</translation>
        </message>
        <message>
            <source>Escalate</source>
            <translation>上报</translation>
        </message>
        <message>
            <source>Supervise</source>
            <translation>督办</translation>
        </message>
        <message>
            <source>Extend</source>
            <translation>延期</translation>
        </message>
        <message>
            <source>Suspend</source>
            <translation>挂账</translation>
        </message>
        <message>
            <source>Resume</source>
            <translation>恢复办理</translation>
        </message>
        <message>
            <source>Void</source>
            <translation>作废</translation>
        </message>
        <message>
            <source>Comment</source>
            <translation>备注</translation>
        </message>
        <message>
            <source>none</source>
            <translation>无</translation>
        </message>
        <message>
            <source>%1 (overdue by %2 working days)</source>
            <translation>%1（已超期 %2 个工作日）</translation>
        </message>
        <message>
            <source>%1 (%2 working days left)</source>
            <translation>%1（剩余 %2 个工作日）</translation>
        </message>
    </context>
    <context>
        <name>QueueDetail</name>
        <message>
            <source>Walk-in</source>
            <translation>来访</translation>
        </message>
        <message>
            <source>Patrol</source>
            <translation>巡查</translation>
        </message>
        <message>
            <source>Hotline</source>
            <translation>热线</translation>
        </message>
        <message>
            <source>Online</source>
            <translation>网络</translation>
        </message>
        <message>
            <source>County</source>
            <translation>区县</translation>
        </message>
    </context>
    <context>
        <name>QueueView</name>
        <message>
            <source>Right-click to choose the columns</source>
            <translation>右键选择要显示的列</translation>
        </message>
        <message>
            <source>Filters</source>
            <translation>筛选</translation>
        </message>
        <message>
            <source>Show or hide the filters</source>
            <translation>显示或隐藏筛选条件</translation>
        </message>
        <message>
            <source>Details</source>
            <translation>详情</translation>
        </message>
        <message>
            <source>Show the selected case's details beside the table</source>
            <translation>在表格旁显示所选案件的详情</translation>
        </message>
        <message>
            <source>Cases</source>
            <translation>案件</translation>
        </message>
        <message>
            <source>My cases</source>
            <translation>我的案件</translation>
        </message>
        <message>
            <source>Show the cases of the new alerts</source>
            <translation>查看新提醒涉及的案件</translation>
        </message>
        <message>
            <source>Dispatch selected…</source>
            <translation>批量派遣…</translation>
        </message>
        <message>
            <source>All my cases</source>
            <translation>全部案件</translation>
        </message>
        <message>
            <source>Counting…</source>
            <translation>正在统计…</translation>
        </message>
        <message numerus="yes">
            <source>%n case(s)</source>
            <translation>
                <numerusform>共 %n 件</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n new deadline alert(s)</source>
            <translation>
                <numerusform>%n 条新的时限提醒</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n alerted case(s)</source>
            <translation>
                <numerusform>提醒案件 %n 件</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>Receipt</name>
        <message>
            <source>Closed on the spot at the desk.</source>
            <translation>已在接待窗口当场办结。</translation>
        </message>
        <message>
            <source>Recorded; the question was answered at the desk.</source>
            <translation>已登记，已在接待窗口当场答复。</translation>
        </message>
        <message>
            <source>Added to case %1, which is already being handled.</source>
            <translation>已并入正在办理的案件 %1。</translation>
        </message>
        <message>
            <source>Registered as a case and handed on for handling.</source>
            <translation>已受理立案，转交相关部门办理。</translation>
        </message>
        <message>
            <source>Case number</source>
            <translation>案件编号</translation>
        </message>
        <message>
            <source>(no case)</source>
            <translation>（未立案）</translation>
        </message>
        <message>
            <source>Registered at</source>
            <translation>登记时间</translation>
        </message>
        <message>
            <source>Visitor</source>
            <translation>来访人</translation>
        </message>
        <message>
            <source>Purpose</source>
            <translation>来访目的</translation>
        </message>
        <message>
            <source>Request</source>
            <translation>诉求</translation>
        </message>
        <message>
            <source>Category</source>
            <translation>分类</translation>
        </message>
        <message>
            <source>Place</source>
            <translation>地点</translation>
        </message>
        <message>
            <source>Handling</source>
            <translation>办理情况</translation>
        </message>
        <message>
            <source>Promised by</source>
            <translation>承诺办结时限</translation>
        </message>
        <message>
            <source>Query code</source>
            <translation>查询码</translation>
        </message>
        <message>
            <source>Received by</source>
            <translation>接待人</translation>
        </message>
        <message>
            <source>Visit receipt</source>
            <translation>来访登记回执单</translation>
        </message>
        <message>
            <source>Quote the case number and the query code to ask about progress. Please keep this receipt.</source>
            <translation>凭案件编号和查询码可查询办理进度，请妥善保管本回执。</translation>
        </message>
    </context>
    <context>
        <name>ReceiptDialog</name>
        <message>
            <source>Receipt %1</source>
            <translation>回执单 %1</translation>
        </message>
        <message>
            <source>receipt</source>
            <translation>回执单</translation>
        </message>
        <message>
            <source>Save the receipt as PDF</source>
            <translation>将回执单另存为 PDF</translation>
        </message>
    </context>
    <context>
        <name>ReceptionView</name>
        <message>
            <source>Reception desk</source>
            <translation>来访接待</translation>
        </message>
        <message>
            <source>Tab: next field · Enter: submit · Esc: clear · Alt+1/2/3: outcome · F4: tree</source>
            <translation>Tab：下一项 · 回车：提交 · Esc：清空 · Alt+1/2/3：办理方式 · F4：选择树</translation>
        </message>
        <message>
            <source>Progress enquiry…</source>
            <translation>查询办理进度…</translation>
        </message>
        <message>
            <source>%1 — a case's progress, by the receipt's query code or the visitor's phone</source>
            <translation>%1：按回执单查询码或来访人电话查询案件办理进度</translation>
        </message>
        <message>
            <source>Restore</source>
            <translation>恢复</translation>
        </message>
        <message>
            <source>Discard</source>
            <translation>丢弃</translation>
        </message>
        <message>
            <source>Print receipt</source>
            <translation>打印回执单</translation>
        </message>
        <message>
            <source>Ctrl+P</source>
            <translation>Ctrl+P</translation>
        </message>
        <message>
            <source>Show case</source>
            <translation>查看案件</translation>
        </message>
        <message>
            <source>Returning visitor</source>
            <translation>老访客</translation>
        </message>
        <message>
            <source>Possible duplicates</source>
            <translation>可能重复的案件</translation>
        </message>
        <message>
            <source>Today</source>
            <translation>今日来访</translation>
        </message>
        <message>
            <source>History</source>
            <translation>历史查询</translation>
        </message>
        <message>
            <source>A visit that was being typed (%1, saved %2) was not submitted — perhaps the computer was switched off. Restore it?</source>
            <translation>发现一条未提交的来访登记（%1，保存于 %2），可能是电脑意外关机所致。是否恢复？</translation>
        </message>
        <message>
            <source>no name yet</source>
            <translation>尚未填写姓名</translation>
        </message>
        <message>
            <source>Dispatch to %1 — sign for by %2, handle by %3</source>
            <translation>将派遣至%1：签收时限 %2，办结时限 %3</translation>
        </message>
        <message>
            <source>(no default department)</source>
            <translation>（未设置默认部门）</translation>
        </message>
        <message>
            <source>Handling limit if dispatched now: %1</source>
            <translation>如现在派遣，办结时限为 %1</translation>
        </message>
        <message>
            <source>Duplicates? (%1)</source>
            <translation>疑似重复（%1）</translation>
        </message>
        <message>
            <source>Closed on the spot. Case %1.</source>
            <translation>已当场办结，案件编号 %1。</translation>
        </message>
        <message>
            <source>Visit recorded (no case). Query code %1.</source>
            <translation>来访已登记（未立案），查询码 %1。</translation>
        </message>
        <message>
            <source>The visit was added to case %1.</source>
            <translation>本次来访已并入案件 %1。</translation>
        </message>
        <message>
            <source>Case %1 opened and dispatched to %2: sign for by %3, handle by %4.</source>
            <translation>已受理案件 %1 并派遣至%2：签收时限 %3，办结时限 %4。</translation>
        </message>
        <message>
            <source>Case %1 opened. Promised handling by %2.</source>
            <translation>已受理案件 %1，承诺办结时限 %2。</translation>
        </message>
        <message>
            <source>Export visits</source>
            <translation>导出来访记录</translation>
        </message>
        <message>
            <source>visits</source>
            <translation>来访记录</translation>
        </message>
        <message>
            <source>Excel workbooks (*.xlsx)</source>
            <translation>Excel 工作簿 (*.xlsx)</translation>
        </message>
        <message>
            <source>The file %1 could not be written: %2</source>
            <translation>无法写入文件 %1：%2</translation>
        </message>
        <message numerus="yes">
            <source>%n visit(s) exported to %1</source>
            <translation>
                <numerusform>已导出 %n 条来访记录至 %1</numerusform>
            </translation>
        </message>
        <message>
            <source>Name</source>
            <translation>姓名</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>电话</translation>
        </message>
        <message>
            <source>ID number</source>
            <translation>身份证号</translation>
        </message>
        <message>
            <source>Home address</source>
            <translation>住址</translation>
        </message>
        <message>
            <source>Visitor's personal data</source>
            <translation>来访人个人信息</translation>
        </message>
        <message>
            <source>This look has been written to the audit log.</source>
            <translation>本次查看已记入审计日志。</translation>
        </message>
    </context>
    <context>
        <name>ReportTables</name>
        <message>
            <source>yes</source>
            <translation>是</translation>
        </message>
        <message>
            <source>no</source>
            <translation>否</translation>
        </message>
        <message>
            <source>subtotal</source>
            <translation>小计</translation>
        </message>
        <message>
            <source>(not subdivided)</source>
            <translation>（未细分）</translation>
        </message>
        <message>
            <source>Last place in this period</source>
            <translation>本期末位</translation>
        </message>
    </context>
    <context>
        <name>ReportsView</name>
        <message>
            <source>Assessment and bulletin</source>
            <translation>考核统计与通报</translation>
        </message>
        <message>
            <source>Half-month</source>
            <translation>半月</translation>
        </message>
        <message>
            <source>Month</source>
            <translation>月度</translation>
        </message>
        <message>
            <source>Custom range</source>
            <translation>自定义时段</translation>
        </message>
        <message>
            <source>to</source>
            <translation>至</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>刷新</translation>
        </message>
        <message>
            <source>Export bulletin…</source>
            <translation>导出通报…</translation>
        </message>
        <message>
            <source>Period:</source>
            <translation>统计时段：</translation>
        </message>
        <message>
            <source>Scope:</source>
            <translation>统计范围：</translation>
        </message>
        <message>
            <source>Dashboard</source>
            <translation>仪表盘</translation>
        </message>
        <message>
            <source>Departments</source>
            <translation>部门考核</translation>
        </message>
        <message>
            <source>Streets and communities</source>
            <translation>街道社区考核</translation>
        </message>
        <message>
            <source>Grid workers</source>
            <translation>网格员考核</translation>
        </message>
        <message>
            <source>Overdue cases</source>
            <translation>超期案件明细</translation>
        </message>
        <message>
            <source>Double-click a case to open it in the queue.</source>
            <translation>双击案件可在派遣队列中打开。</translation>
        </message>
        <message>
            <source>Categories</source>
            <translation>分类统计</translation>
        </message>
        <message>
            <source>Archive</source>
            <translation>往期通报</translation>
        </message>
        <message>
            <source>%1-%2 first half</source>
            <translation>%1年%2月上半月</translation>
        </message>
        <message>
            <source>%1-%2 second half</source>
            <translation>%1年%2月下半月</translation>
        </message>
        <message>
            <source>%1-%2</source>
            <translation>%1年%2月</translation>
        </message>
        <message>
            <source>%1 (running)</source>
            <translation>%1（进行中）</translation>
        </message>
        <message>
            <source>Computing the figures…</source>
            <translation>正在统计…</translation>
        </message>
        <message>
            <source>%1 · %2 · %3 overdue case(s) · computed %4</source>
            <translation>%1 · %2 · 超期案件 %3 件 · 统计于 %4</translation>
        </message>
        <message>
            <source>Export the bulletin</source>
            <translation>导出通报</translation>
        </message>
        <message>
            <source>Excel workbook (*.xlsx)</source>
            <translation>Excel 工作簿 (*.xlsx)</translation>
        </message>
        <message>
            <source>Writing the bulletin…</source>
            <translation>正在生成通报…</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Bulletin written to %1</source>
            <translation>通报已导出至 %1</translation>
        </message>
        <message>
            <source>The export was cancelled; no file was written.</source>
            <translation>已取消导出，未生成文件。</translation>
        </message>
        <message>
            <source>The bulletin could not be written to %1: %2</source>
            <translation>通报无法写入 %1：%2</translation>
        </message>
    </context>
    <context>
        <name>ResumeDialog</name>
        <message>
            <source>Resume the case</source>
            <translation>恢复办理</translation>
        </message>
        <message>
            <source>The case goes back to the state it had before it was suspended.</source>
            <translation>案件将恢复到挂账前的状态。</translation>
        </message>
        <message>
            <source>Handling deadline:</source>
            <translation>办理时限：</translation>
        </message>
        <message>
            <source>Resume</source>
            <translation>恢复办理</translation>
        </message>
    </context>
    <context>
        <name>ReturnDialog</name>
        <message>
            <source>Return the case</source>
            <translation>退回案件</translation>
        </message>
        <message>
            <source>Reason:</source>
            <translation>原因：</translation>
        </message>
        <message>
            <source>Why is this case not yours? Which unit should handle it?</source>
            <translation>为何不属于本单位办理？应由哪个单位办理？</translation>
        </message>
        <message>
            <source>Return</source>
            <translation>退回</translation>
        </message>
    </context>
    <context>
        <name>ReturningPanel</name>
        <message>
            <source>Fill the form</source>
            <translation>填入表单</translation>
        </message>
        <message>
            <source>Ctrl+R</source>
            <translation>Ctrl+R</translation>
        </message>
        <message>
            <source>Open case</source>
            <translation>未办结案件</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Deadline</source>
            <translation>处置时限</translation>
        </message>
        <message>
            <source>Title</source>
            <translation>标题</translation>
        </message>
        <message>
            <source>Visited</source>
            <translation>来访时间</translation>
        </message>
        <message>
            <source>Purpose</source>
            <translation>来访目的</translation>
        </message>
        <message>
            <source>Outcome</source>
            <translation>办理方式</translation>
        </message>
        <message>
            <source>Case</source>
            <translation>案件</translation>
        </message>
        <message>
            <source>Summary</source>
            <translation>诉求内容</translation>
        </message>
        <message>
            <source>Show case</source>
            <translation>查看案件</translation>
        </message>
        <message>
            <source>Double-click a row</source>
            <translation>双击行即可</translation>
        </message>
        <message>
            <source>Open cases of this visitor</source>
            <translation>该来访人的未办结案件</translation>
        </message>
        <message>
            <source>Earlier visits</source>
            <translation>以往来访记录</translation>
        </message>
        <message>
            <source>phone</source>
            <translation>电话</translation>
        </message>
        <message>
            <source>ID number</source>
            <translation>身份证号</translation>
        </message>
        <message numerus="yes">
            <source>Known by %1: %2, %3 — %n earlier visit(s).</source>
            <translation>
                <numerusform>按%1识别：%2，%3，此前来访 %n 次。</numerusform>
            </translation>
        </message>
        <message>
            <source>ID %1</source>
            <translation>身份证 %1</translation>
        </message>
    </context>
    <context>
        <name>RevealDialog</name>
        <message>
            <source>Show full phone</source>
            <translation>查看完整电话</translation>
        </message>
        <message>
            <source>Full phone number</source>
            <translation>完整电话号码</translation>
        </message>
        <message>
            <source>The county keeps a record of who asked for the number and why. The number is shown here only and is not saved on this computer.</source>
            <translation>区县会记录谁因何查看了号码。号码只在此处显示，不会保存在本机。</translation>
        </message>
        <message>
            <source>e.g. call the visitor about the repair date</source>
            <translation>例如：联系来访人告知维修时间</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>事由</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>电话</translation>
        </message>
        <message>
            <source>Ask the county</source>
            <translation>向区县查询</translation>
        </message>
        <message>
            <source>Say why you need the full number.</source>
            <translation>请填写查看完整号码的事由。</translation>
        </message>
        <message>
            <source>Asking the county…</source>
            <translation>正在向区县查询…</translation>
        </message>
        <message>
            <source>(the county holds no number)</source>
            <translation>（区县没有该号码）</translation>
        </message>
        <message>
            <source>No county server is set: the full number comes only from the county.</source>
            <translation>未设置区县服务器：完整号码只能从区县获取。</translation>
        </message>
        <message>
            <source>The county server cannot be reached. The full number comes only from the county; try again when the desk is online.</source>
            <translation>无法连接区县服务器。完整号码只能从区县获取，请联网后再试。</translation>
        </message>
        <message>
            <source>You are not logged in to the county on this desk. Log in on the sync screen, then ask again.</source>
            <translation>您尚未在本机登录区县。请在同步页面登录后再查询。</translation>
        </message>
        <message>
            <source>The county does not show this visit to you.</source>
            <translation>区县不向您提供该来访记录。</translation>
        </message>
        <message>
            <source>The county does not allow your role to see this number.</source>
            <translation>区县不允许您的角色查看该号码。</translation>
        </message>
        <message>
            <source>The county could not answer; try again later.</source>
            <translation>区县暂时无法答复，请稍后再试。</translation>
        </message>
    </context>
    <context>
        <name>RoundReportBox</name>
        <message>
            <source>Cases</source>
            <translation>案件</translation>
        </message>
        <message>
            <source>Case events</source>
            <translation>案件事件</translation>
        </message>
        <message>
            <source>Visits</source>
            <translation>来访记录</translation>
        </message>
        <message>
            <source>Users</source>
            <translation>用户</translation>
        </message>
        <message>
            <source>Org units</source>
            <translation>组织单位</translation>
        </message>
        <message>
            <source>Departments</source>
            <translation>部门</translation>
        </message>
        <message>
            <source>Categories</source>
            <translation>分类</translation>
        </message>
        <message>
            <source>Holidays</source>
            <translation>节假日</translation>
        </message>
        <message>
            <source>Settings</source>
            <translation>设置</translation>
        </message>
        <message>
            <source>%1 org units</source>
            <translation>组织单位 %1 个</translation>
        </message>
        <message>
            <source>%1 departments</source>
            <translation>部门 %1 个</translation>
        </message>
        <message>
            <source>%1 categories</source>
            <translation>分类 %1 个</translation>
        </message>
        <message>
            <source>%1 holidays</source>
            <translation>节假日 %1 天</translation>
        </message>
        <message>
            <source>%1 settings</source>
            <translation>设置 %1 项</translation>
        </message>
        <message>
            <source>Last sync round</source>
            <translation>最近一次同步</translation>
        </message>
        <message>
            <source>No round has finished on this desk yet.</source>
            <translation>本机还没有完成过同步。</translation>
        </message>
        <message>
            <source>Came down</source>
            <translation>从区县收到</translation>
        </message>
        <message>
            <source>Went up</source>
            <translation>上报区县</translation>
        </message>
        <message>
            <source>Reference data</source>
            <translation>基础数据</translation>
        </message>
        <message>
            <source>%1 accepted</source>
            <translation>已接收 %1</translation>
        </message>
        <message>
            <source>%1: %2 new, %3 updated</source>
            <translation>%1：新增 %2，更新 %3</translation>
        </message>
        <message>
            <source>Sent before (already at the county): %1 · Rejected: %2 · Waiting for a login: %3</source>
            <translation>区县已有（此前已上报）：%1 · 被退回：%2 · 待登录后上报：%3</translation>
        </message>
        <message>
            <source>Finished %1.</source>
            <translation>完成于 %1。</translation>
        </message>
        <message>
            <source>The county's records were read from the beginning.</source>
            <translation>本次从头读取了区县的全部记录。</translation>
        </message>
        <message>
            <source>%1 new</source>
            <translation>新增 %1</translation>
        </message>
        <message>
            <source>%1 new · %2 updated</source>
            <translation>新增 %1 · 更新 %2</translation>
        </message>
    </context>
    <context>
        <name>Screens</name>
        <message>
            <source>Reception desk</source>
            <translation>来访接待</translation>
        </message>
        <message>
            <source>Dispatch queue</source>
            <translation>派遣队列</translation>
        </message>
        <message>
            <source>Reports</source>
            <translation>统计考核</translation>
        </message>
        <message>
            <source>Map</source>
            <translation>地图</translation>
        </message>
        <message>
            <source>Sync</source>
            <translation>同步</translation>
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
            <translation>区（县）服务器</translation>
        </message>
        <message>
            <source>Server address</source>
            <translation>服务器地址</translation>
        </message>
        <message>
            <source>Photos and documents</source>
            <translation>照片和文件</translation>
        </message>
        <message>
            <source> days</source>
            <translation> 天</translation>
        </message>
        <message>
            <source>Closed cases' files</source>
            <translation>已结案案件的文件</translation>
        </message>
        <message>
            <source>The files of open cases are always downloaded after a sync; those of cases closed within this many days too. Older ones are fetched when a case is opened.</source>
            <translation>未结案案件的文件在每次同步后都会下载；在此天数内结案的案件也会下载。更早的在打开案件时再下载。</translation>
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
            <source>Bulletin sign-off</source>
            <translation>通报落款</translation>
        </message>
        <message>
            <source>Issued by</source>
            <translation>发文单位</translation>
        </message>
        <message>
            <source>Reviewed by</source>
            <translation>审核</translation>
        </message>
        <message>
            <source>Signed by</source>
            <translation>签发</translation>
        </message>
        <message>
            <source>Printed at the end of the bulletin with the export date. Without an issuing unit, the centre's name is used; empty lines are left out.</source>
            <translation>印在通报末尾，日期为导出日期。未填发文单位时使用中心名称；空项不打印。</translation>
        </message>
        <message>
            <source>Saved.</source>
            <translation>已保存。</translation>
        </message>
    </context>
    <context>
        <name>SuperviseDialog</name>
        <message>
            <source>Supervise the case</source>
            <translation>督办案件</translation>
        </message>
        <message>
            <source>Handling deadline:</source>
            <translation>办理时限：</translation>
        </message>
        <message>
            <source>Instruction:</source>
            <translation>督办意见：</translation>
        </message>
        <message>
            <source>What must the assignee do, and by when?</source>
            <translation>要求承办单位做什么、何时完成？</translation>
        </message>
        <message>
            <source>Supervise</source>
            <translation>督办</translation>
        </message>
    </context>
    <context>
        <name>SuspendDialog</name>
        <message>
            <source>Suspend the case</source>
            <translation>挂账案件</translation>
        </message>
        <message>
            <source>Reason:</source>
            <translation>原因：</translation>
        </message>
        <message>
            <source>e.g. waiting for the repair budget</source>
            <translation>例如：等待维修资金</translation>
        </message>
        <message>
            <source>A suspended case is not counted as due until it is resumed.</source>
            <translation>挂账期间不计入应结案，恢复办理后重新计算。</translation>
        </message>
        <message>
            <source>Suspend</source>
            <translation>挂账</translation>
        </message>
    </context>
    <context>
        <name>Sync</name>
        <message>
            <source>The county server cannot be reached. Work goes on; it will be sent later.</source>
            <translation>无法连接区（县）服务器。可继续工作，记录将在恢复连接后上传。</translation>
        </message>
        <message>
            <source>The county server had a problem. The same items will be sent again later.</source>
            <translation>区（县）服务器出现故障，相同记录稍后将重新上传。</translation>
        </message>
        <message>
            <source>Log in to the county to synchronise.</source>
            <translation>请登录区（县）平台以进行同步。</translation>
        </message>
        <message>
            <source>The county login has expired; log in again.</source>
            <translation>区（县）平台登录已过期，请重新登录。</translation>
        </message>
        <message>
            <source>The county no longer accepts this login; log in again.</source>
            <translation>区（县）平台已不再接受此次登录，请重新登录。</translation>
        </message>
        <message>
            <source>The county did not accept the username or password.</source>
            <translation>区（县）平台未接受该用户名或密码。</translation>
        </message>
        <message>
            <source>Too many failed logins; the county asks to wait a few minutes.</source>
            <translation>登录失败次数过多，请等待几分钟后再试。</translation>
        </message>
        <message>
            <source>No county server address is set.</source>
            <translation>尚未设置区（县）服务器地址。</translation>
        </message>
        <message>
            <source>The CA certificate file cannot be read; check the path.</source>
            <translation>无法读取 CA 证书文件，请检查路径。</translation>
        </message>
        <message>
            <source>Synchronisation failed.</source>
            <translation>同步失败。</translation>
        </message>
        <message>
            <source>Somebody else changed this case first; this step no longer fits its state.</source>
            <translation>他人已先行处理该案件，此操作已不符合案件当前状态。</translation>
        </message>
        <message>
            <source>The county says this lies outside your area or role.</source>
            <translation>区（县）平台认定此记录超出您的管辖范围或角色权限。</translation>
        </message>
        <message>
            <source>The county does not know this case.</source>
            <translation>区（县）平台没有该案件。</translation>
        </message>
        <message>
            <source>The county found the content not valid.</source>
            <translation>区（县）平台认定内容无效。</translation>
        </message>
        <message>
            <source>Another case in the county already has this case number.</source>
            <translation>区县已有其他案件使用此案件编号。</translation>
        </message>
        <message>
            <source>The county does not yet hold a file this step names.</source>
            <translation>区县尚未收到此步骤所附的文件。</translation>
        </message>
        <message>
            <source>The county refused this item.</source>
            <translation>区（县）平台拒绝了此记录。</translation>
        </message>
        <message>
            <source>Open the case to see its state, then dispatch again if still needed, or discard.</source>
            <translation>请打开案件查看当前状态，如仍需要可重新派遣，否则作废此记录。</translation>
        </message>
        <message>
            <source>Open the case to see its state; record the step again if still needed, or discard.</source>
            <translation>请打开案件查看当前状态，如仍需要请重新办理该步骤，否则作废此记录。</translation>
        </message>
        <message>
            <source>Ask the county administrator to check your area or role, then send again; or discard.</source>
            <translation>请联系区（县）管理员核实您的管辖范围或角色后重新上传，或作废此记录。</translation>
        </message>
        <message>
            <source>Give the case a new number, then print the visitor a new receipt.</source>
            <translation>为案件重新编号，并为来访人重新打印回执单。</translation>
        </message>
        <message>
            <source>Send again after the case's registration reached the county, or discard.</source>
            <translation>待该案件的受理记录上传成功后重新上传，或作废此记录。</translation>
        </message>
        <message>
            <source>Discard it and record it again correctly.</source>
            <translation>请作废此记录，并重新正确录入。</translation>
        </message>
    </context>
    <context>
        <name>SyncIndicator</name>
        <message>
            <source>Sync: no county server set</source>
            <translation>同步：未设置区（县）服务器</translation>
        </message>
        <message>
            <source>Sync: synchronising…</source>
            <translation>同步：正在同步…</translation>
        </message>
        <message>
            <source>Sync: log in to the county</source>
            <translation>同步：请登录区（县）平台</translation>
        </message>
        <message>
            <source>Offline · %1 waiting</source>
            <translation>离线 · %1 条待上传</translation>
        </message>
        <message>
            <source>Sync: %1 waiting</source>
            <translation>同步：%1 条待上传</translation>
        </message>
        <message>
            <source>Online · %1 waiting</source>
            <translation>在线 · %1 条待上传</translation>
        </message>
        <message>
            <source> · %1 rejected</source>
            <translation> · %1 条被退回</translation>
        </message>
        <message>
            <source>Last successful sync: %1</source>
            <translation>上次成功同步：%1</translation>
        </message>
        <message>
            <source>never</source>
            <translation>从未</translation>
        </message>
    </context>
    <context>
        <name>SyncView</name>
        <message>
            <source>Synchronisation with the county</source>
            <translation>与区（县）平台同步</translation>
        </message>
        <message>
            <source>County server</source>
            <translation>区（县）服务器</translation>
        </message>
        <message>
            <source>none (direct connection)</source>
            <translation>无（直接连接）</translation>
        </message>
        <message>
            <source>the system's certificates</source>
            <translation>使用系统证书</translation>
        </message>
        <message>
            <source>Verify the server's certificate (recommended)</source>
            <translation>校验服务器证书（建议开启）</translation>
        </message>
        <message>
            <source>Save connection</source>
            <translation>保存连接设置</translation>
        </message>
        <message>
            <source>Server address</source>
            <translation>服务器地址</translation>
        </message>
        <message>
            <source>Proxy</source>
            <translation>代理服务器</translation>
        </message>
        <message>
            <source>County CA file</source>
            <translation>区（县）CA 证书文件</translation>
        </message>
        <message>
            <source>County login</source>
            <translation>区（县）平台登录</translation>
        </message>
        <message>
            <source>Log in to the county</source>
            <translation>登录区（县）平台</translation>
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
            <source>State</source>
            <translation>同步状态</translation>
        </message>
        <message>
            <source>Sync now</source>
            <translation>立即同步</translation>
        </message>
        <message>
            <source>Connection</source>
            <translation>连接</translation>
        </message>
        <message>
            <source>Last successful sync</source>
            <translation>上次成功同步</translation>
        </message>
        <message>
            <source>Waiting to be sent</source>
            <translation>待上传</translation>
        </message>
        <message>
            <source>Attachments</source>
            <translation>附件</translation>
        </message>
        <message>
            <source>The county's code for this desk: the two digits before the serial of a case number</source>
            <translation>区县为本机分配的台号：案件编号中流水号前的两位数字</translation>
        </message>
        <message>
            <source>Desk code</source>
            <translation>本机台号</translation>
        </message>
        <message>
            <source>Waiting for a county login</source>
            <translation>等待登录区县</translation>
        </message>
        <message>
            <source>Each person's records go to the county with that person's own login. The password is not kept.</source>
            <translation>每个人的记录都以本人的区县登录提交。密码不会保存。</translation>
        </message>
        <message>
            <source>Rejected by the county</source>
            <translation>被区（县）平台退回的记录</translation>
        </message>
        <message>
            <source>These items were not accepted. They are kept here until you decide: nothing is dropped or sent again by itself.</source>
            <translation>以下记录未被接收，将保留在此等待您处理：不会被自动删除，也不会自动重发。</translation>
        </message>
        <message>
            <source>Recorded</source>
            <translation>记录时间</translation>
        </message>
        <message>
            <source>Item</source>
            <translation>记录</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>原因</translation>
        </message>
        <message>
            <source>County's message</source>
            <translation>平台说明</translation>
        </message>
        <message>
            <source>What you can do</source>
            <translation>处理建议</translation>
        </message>
        <message>
            <source>Open case</source>
            <translation>打开案件</translation>
        </message>
        <message>
            <source>Dispatch again</source>
            <translation>重新派遣</translation>
        </message>
        <message>
            <source>New number…</source>
            <translation>重新编号…</translation>
        </message>
        <message>
            <source>Give the case the next free number of this desk and print a new receipt</source>
            <translation>为案件分配本工作台的下一个编号，并重新打印回执单</translation>
        </message>
        <message>
            <source>Send again</source>
            <translation>重新上传</translation>
        </message>
        <message>
            <source>Discard…</source>
            <translation>作废此记录…</translation>
        </message>
        <message>
            <source>Connection saved.</source>
            <translation>连接设置已保存。</translation>
        </message>
        <message>
            <source>Enter the county username and password.</source>
            <translation>请输入区（县）平台的用户名和密码。</translation>
        </message>
        <message>
            <source>Logging in…</source>
            <translation>正在登录…</translation>
        </message>
        <message>
            <source>no county server set</source>
            <translation>未设置区（县）服务器</translation>
        </message>
        <message>
            <source>synchronising…</source>
            <translation>正在同步…</translation>
        </message>
        <message>
            <source>online</source>
            <translation>在线</translation>
        </message>
        <message>
            <source>offline</source>
            <translation>离线</translation>
        </message>
        <message>
            <source>not tried yet</source>
            <translation>尚未连接</translation>
        </message>
        <message>
            <source>never</source>
            <translation>从未</translation>
        </message>
        <message>
            <source>%1 items</source>
            <translation>%1 条</translation>
        </message>
        <message>
            <source>none yet (given at the first county login)</source>
            <translation>尚未分配（首次登录区县后分配）</translation>
        </message>
        <message>
            <source>Logged in to the county as %1.</source>
            <translation>已以 %1 身份登录区（县）平台。</translation>
        </message>
        <message>
            <source>Not logged in to the county.</source>
            <translation>尚未登录区（县）平台。</translation>
        </message>
        <message>
            <source>Next try in %1 s.</source>
            <translation>%1 秒后重试。</translation>
        </message>
        <message>
            <source>%1 pulled items break the protocol and were kept aside.</source>
            <translation>%1 条区县数据不符合协议，已隔离</translation>
        </message>
        <message>
            <source>%1 attachments to upload / %2 to download</source>
            <translation>%1 个附件待上传 / %2 个待下载</translation>
        </message>
        <message>
            <source>Uploading</source>
            <translation>正在上传</translation>
        </message>
        <message>
            <source>Downloading</source>
            <translation>正在下载</translation>
        </message>
        <message>
            <source>%1 items wait until %2 logs in to the county.</source>
            <translation>%1 条记录等待 %2 登录后提交</translation>
        </message>
        <message>
            <source>Log in %1…</source>
            <translation>登录 %1…</translation>
        </message>
        <message>
            <source>Password of %1 (%2) for the county:</source>
            <translation>%1（%2）的区县登录密码：</translation>
        </message>
        <message>
            <source>Visit</source>
            <translation>来访登记</translation>
        </message>
        <message>
            <source>%1 · case %2</source>
            <translation>%1 · 案件 %2</translation>
        </message>
        <message>
            <source>Nothing was rejected.</source>
            <translation>没有被退回的记录。</translation>
        </message>
        <message>
            <source>Dispatched again; it will be sent with the next sync.</source>
            <translation>已重新派遣，将在下次同步时上传。</translation>
        </message>
        <message>
            <source>New case number</source>
            <translation>重新编号</translation>
        </message>
        <message>
            <source>Another case in the county already has the number %1. Give this case the next free number of this desk? The old number stays in the case's history and the audit log, and the visitor needs a new receipt.</source>
            <translation>区县已有其他案件使用编号 %1。是否为本案件分配本工作台的下一个编号？原编号保留在案件记录和审计日志中，需为来访人重新打印回执单。</translation>
        </message>
        <message>
            <source>The case is now %1 (was %2); it will be sent with the next sync.</source>
            <translation>案件编号已改为 %1（原为 %2），将在下次同步时提交。</translation>
        </message>
        <message>
            <source>It will be sent again with the next sync.</source>
            <translation>将在下次同步时重新上传。</translation>
        </message>
        <message>
            <source>Discard rejected item</source>
            <translation>作废被退回的记录</translation>
        </message>
        <message>
            <source>The item will not reach the county. This is written to the audit log. Why is it discarded?</source>
            <translation>该记录将不再上传区（县）平台，此操作将记入审计日志。请说明作废原因：</translation>
        </message>
        <message>
            <source>Discard this item for good?</source>
            <translation>确定永久作废此记录吗？</translation>
        </message>
        <message>
            <source>Discarded; the audit log keeps its content.</source>
            <translation>已作废，审计日志保留了其内容。</translation>
        </message>
    </context>
    <context>
        <name>Tasks</name>
        <message>
            <source>GridDesk</source>
            <translation>网格工作台</translation>
        </message>
    </context>
    <context>
        <name>ThumbnailStrip</name>
        <message>
            <source>Not downloaded; click to download</source>
            <translation>未下载，点击下载</translation>
        </message>
        <message>
            <source>File</source>
            <translation>文件</translation>
        </message>
        <message>
            <source>Loading…</source>
            <translation>正在加载…</translation>
        </message>
        <message>
            <source>Cannot show this photo</source>
            <translation>无法显示此照片</translation>
        </message>
        <message>
            <source>Downloading…</source>
            <translation>正在下载…</translation>
        </message>
        <message>
            <source>the county does not have it or cannot be reached</source>
            <translation>县里没有此文件或暂时连不上</translation>
        </message>
        <message>
            <source>it could not be saved on this computer</source>
            <translation>无法保存到本机</translation>
        </message>
        <message>
            <source>an unexpected problem</source>
            <translation>出现意外问题</translation>
        </message>
        <message>
            <source>Cannot download: %1</source>
            <translation>无法下载：%1</translation>
        </message>
    </context>
    <context>
        <name>TileSettingsBox</name>
        <message>
            <source>Base map</source>
            <translation>底图</translation>
        </message>
        <message>
            <source>the office's Tianditu key (tk)</source>
            <translation>本单位的天地图密钥（tk）</translation>
        </message>
        <message>
            <source>an .mbtiles file on this computer</source>
            <translation>本机上的 .mbtiles 文件</translation>
        </message>
        <message>
            <source>Choose…</source>
            <translation>选择…</translation>
        </message>
        <message>
            <source>Source</source>
            <translation>底图来源</translation>
        </message>
        <message>
            <source>Key (tk)</source>
            <translation>密钥（tk）</translation>
        </message>
        <message>
            <source>Tile address</source>
            <translation>瓦片地址</translation>
        </message>
        <message>
            <source>MBTiles file</source>
            <translation>MBTiles 文件</translation>
        </message>
        <message>
            <source>Preview</source>
            <translation>预览</translation>
        </message>
        <message>
            <source>Save base map</source>
            <translation>保存底图设置</translation>
        </message>
        <message>
            <source>Grids and cases are drawn on a plain background.</source>
            <translation>网格和案件绘制在空白底图上。</translation>
        </message>
        <message>
            <source>Needs internet access to tianditu.gov.cn and the key of your office.</source>
            <translation>需要能访问天地图（tianditu.gov.cn），并填写本单位的密钥。</translation>
        </message>
        <message>
            <source>The county's tile server: an XYZ address with {z}, {x} and {y}, or a WMTS address with TILEMATRIX={z}&amp;TILEROW={y}&amp;TILECOL={x}.</source>
            <translation>区县内网瓦片服务：含 {z}、{x}、{y} 的 XYZ 地址，或含 TILEMATRIX={z}&amp;TILEROW={y}&amp;TILECOL={x} 的 WMTS 地址。</translation>
        </message>
        <message>
            <source>Tiles from a file: works with no network at all.</source>
            <translation>从文件读取瓦片，完全不需要网络。</translation>
        </message>
        <message>
            <source>Choose an MBTiles file</source>
            <translation>选择 MBTiles 文件</translation>
        </message>
        <message>
            <source>MBTiles files (*.mbtiles);;All files (*)</source>
            <translation>MBTiles 文件 (*.mbtiles);;所有文件 (*)</translation>
        </message>
        <message numerus="yes">
            <source>%1: zoom levels %2–%3, %n tile(s).</source>
            <translation>
                <numerusform>%1：缩放级别 %2–%3，共 %n 张瓦片。</numerusform>
            </translation>
        </message>
        <message>
            <source>Base map saved; the map uses it from now on.</source>
            <translation>底图设置已保存，地图即刻启用。</translation>
        </message>
    </context>
    <context>
        <name>TodayPanel</name>
        <message>
            <source>%1 visits today</source>
            <translation>今日来访 %1 人次</translation>
        </message>
        <message>
            <source>By purpose: %1</source>
            <translation>按来访目的：%1</translation>
        </message>
        <message>
            <source>By outcome: %1</source>
            <translation>按办理方式：%1</translation>
        </message>
    </context>
    <context>
        <name>TreeChooserDialog</name>
        <message>
            <source>Type part of a name or its pinyin initials</source>
            <translation>输入名称的一部分或拼音首字母</translation>
        </message>
    </context>
    <context>
        <name>TreePicker</name>
        <message>
            <source>Choose from the whole tree (F4)</source>
            <translation>从完整目录中选择（F4）</translation>
        </message>
    </context>
    <context>
        <name>UnitsTab</name>
        <message>
            <source>Streets</source>
            <translation>街道</translation>
        </message>
        <message>
            <source>Communities</source>
            <translation>社区</translation>
        </message>
    </context>
    <context>
        <name>VerifyDialog</name>
        <message>
            <source>Verify the result</source>
            <translation>核查办理结果</translation>
        </message>
        <message>
            <source>Reported result:</source>
            <translation>反馈结果：</translation>
        </message>
        <message>
            <source>Passed: close the case</source>
            <translation>核查通过，结案</translation>
        </message>
        <message>
            <source>Failed: send back for rework</source>
            <translation>核查不通过，退回返工</translation>
        </message>
        <message>
            <source>Outcome:</source>
            <translation>核查结论：</translation>
        </message>
        <message>
            <source>Note:</source>
            <translation>备注：</translation>
        </message>
        <message>
            <source>Required when the check fails: what must be redone?</source>
            <translation>核查不通过时必填：需要返工的内容</translation>
        </message>
        <message>
            <source>Record verification</source>
            <translation>确认核查</translation>
        </message>
        <message>
            <source>Before: the registration and earlier steps</source>
            <translation>处置前：受理及之前各环节</translation>
        </message>
        <message>
            <source>After: the last feedback</source>
            <translation>处置后：最近一次反馈</translation>
        </message>
        <message>
            <source>No photos.</source>
            <translation>没有照片。</translation>
        </message>
    </context>
    <context>
        <name>VisitForm</name>
        <message>
            <source>Full name</source>
            <translation>姓名</translation>
        </message>
        <message>
            <source>Mobile or landline with area code</source>
            <translation>手机号或带区号的固定电话</translation>
        </message>
        <message>
            <source>Optional; 18 characters</source>
            <translation>选填，18位</translation>
        </message>
        <message>
            <source>(not given)</source>
            <translation>（未填写）</translation>
        </message>
        <message>
            <source>Optional</source>
            <translation>选填</translation>
        </message>
        <message>
            <source>Visitor</source>
            <translation>来访人</translation>
        </message>
        <message>
            <source>&amp;Name</source>
            <translation>姓名(&amp;N)</translation>
        </message>
        <message>
            <source>&amp;Phone</source>
            <translation>电话(&amp;P)</translation>
        </message>
        <message>
            <source>&amp;ID number</source>
            <translation>身份证号(&amp;I)</translation>
        </message>
        <message>
            <source>Gender</source>
            <translation>性别</translation>
        </message>
        <message>
            <source>Home address</source>
            <translation>住址</translation>
        </message>
        <message>
            <source>&amp;Urgent</source>
            <translation>紧急(&amp;U)</translation>
        </message>
        <message>
            <source>Urgent cases get the short urgent limits</source>
            <translation>紧急案件按紧急时限办理</translation>
        </message>
        <message>
            <source>What the visitor reports or asks for (Shift+Enter for a new line)</source>
            <translation>来访人反映的问题或提出的诉求（Shift+回车换行）</translation>
        </message>
        <message>
            <source>Choose a category</source>
            <translation>选择问题类别</translation>
        </message>
        <message>
            <source>Type part of a name, e.g. 井盖, or pinyin initials (F4: whole tree)</source>
            <translation>输入类别名称的一部分（如“井盖”）或拼音首字母（F4：完整目录）</translation>
        </message>
        <message>
            <source>Where the problem is</source>
            <translation>问题发生地点</translation>
        </message>
        <message>
            <source>Choose the grid</source>
            <translation>选择网格</translation>
        </message>
        <message>
            <source>Grid, community or street (F4: tree)</source>
            <translation>网格、社区或街道（F4：选择树）</translation>
        </message>
        <message>
            <source>Request</source>
            <translation>诉求</translation>
        </message>
        <message>
            <source>Pu&amp;rpose</source>
            <translation>来访目的(&amp;R)</translation>
        </message>
        <message>
            <source>&amp;Summary</source>
            <translation>诉求内容(&amp;S)</translation>
        </message>
        <message>
            <source>Ca&amp;tegory</source>
            <translation>问题类别(&amp;T)</translation>
        </message>
        <message>
            <source>&amp;Location</source>
            <translation>发生地点(&amp;L)</translation>
        </message>
        <message>
            <source>&amp;Grid</source>
            <translation>所属网格(&amp;G)</translation>
        </message>
        <message>
            <source>Use the photo's location</source>
            <translation>使用照片的位置</translation>
        </message>
        <message>
            <source>The position recorded in a photo added below (WGS-84, as on the map)</source>
            <translation>下方所添加照片中记录的位置（WGS-84，与地图一致）</translation>
        </message>
        <message>
            <source>Open a case (受理)</source>
            <translation>受理立案</translation>
        </message>
        <message>
            <source>Alt+1</source>
            <translation>Alt+1</translation>
        </message>
        <message>
            <source>Closed on the spot</source>
            <translation>当场办结</translation>
        </message>
        <message>
            <source>Alt+2</source>
            <translation>Alt+2</translation>
        </message>
        <message>
            <source>Record only (consultation)</source>
            <translation>仅登记（咨询）</translation>
        </message>
        <message>
            <source>Alt+3</source>
            <translation>Alt+3</translation>
        </message>
        <message>
            <source>The answer given or what was done at the desk</source>
            <translation>现场答复或处理情况</translation>
        </message>
        <message>
            <source>Dispatch at once to the category's department</source>
            <translation>立即派遣至该类别的默认处置部门</translation>
        </message>
        <message>
            <source>Open a new case instead</source>
            <translation>改为新建案件</translation>
        </message>
        <message>
            <source>Outcome</source>
            <translation>办理方式</translation>
        </message>
        <message>
            <source>Ans&amp;wer</source>
            <translation>答复内容(&amp;W)</translation>
        </message>
        <message>
            <source>Submit</source>
            <translation>提交</translation>
        </message>
        <message>
            <source>Enter</source>
            <translation>回车</translation>
        </message>
        <message>
            <source>Clear</source>
            <translation>清空</translation>
        </message>
        <message>
            <source>Esc</source>
            <translation>Esc</translation>
        </message>
        <message>
            <source>Files go on a new case; a visit only recorded, or added to an open case, keeps none.</source>
            <translation>附件随新案件保存；仅登记或并入已有案件的来访不保存附件。</translation>
        </message>
        <message>
            <source>Photos and documents</source>
            <translation>照片和文件</translation>
        </message>
        <message numerus="yes">
            <source>%n file(s) of the saved visit could not be found and must be added again: %1</source>
            <translation>
                <numerusform>保存的来访中有 %n 个文件找不到了，请重新添加：%1</numerusform>
            </translation>
        </message>
        <message>
            <source>Use the photo's location (%1, %2)</source>
            <translation>使用照片的位置（%1, %2）</translation>
        </message>
        <message>
            <source>Alt+N</source>
            <translation>Alt+N</translation>
        </message>
        <message>
            <source>Alt+P — a known number shows the visitor's earlier visits</source>
            <translation>Alt+P：已登记过的号码会显示该来访人的以往来访</translation>
        </message>
        <message>
            <source>Alt+I — optional; only where needed; shown masked later</source>
            <translation>Alt+I：选填，仅在必要时采集，之后脱敏显示</translation>
        </message>
        <message>
            <source>Alt+R</source>
            <translation>Alt+R</translation>
        </message>
        <message>
            <source>Alt+S — Enter submits, Shift+Enter starts a new line</source>
            <translation>Alt+S：回车提交，Shift+回车换行</translation>
        </message>
        <message>
            <source>Alt+T — type 井盖 or jg; F4 opens the tree</source>
            <translation>Alt+T：输入“井盖”或“jg”，F4 打开完整目录</translation>
        </message>
        <message>
            <source>Alt+L</source>
            <translation>Alt+L</translation>
        </message>
        <message>
            <source>Alt+G — F4 opens the org-unit tree</source>
            <translation>Alt+G：F4 打开组织机构树</translation>
        </message>
        <message>
            <source>Alt+U</source>
            <translation>Alt+U</translation>
        </message>
        <message>
            <source>Alt+W</source>
            <translation>Alt+W</translation>
        </message>
        <message>
            <source>Map position: not set</source>
            <translation>地图位置：未设置</translation>
        </message>
        <message>
            <source>Map position: %1, %2</source>
            <translation>地图位置：%1，%2</translation>
        </message>
        <message>
            <source>This visit will be added to the open case %1; no new case is opened.</source>
            <translation>本次来访将并入未办结案件 %1，不再新建案件。</translation>
        </message>
        <message>
            <source>“%1” does not name one category; pick one from the list (Down arrow) or press F4.</source>
            <translation>“%1”不能确定唯一的问题类别，请从列表中选择（下箭头）或按 F4。</translation>
        </message>
        <message>
            <source>“%1” does not name one grid, community or street; pick one from the list or press F4.</source>
            <translation>“%1”不能确定唯一的网格、社区或街道，请从列表中选择或按 F4。</translation>
        </message>
        <message>
            <source>Clear the form</source>
            <translation>清空表单</translation>
        </message>
        <message>
            <source>Clear everything typed for this visitor?</source>
            <translation>确定清空该来访人的全部已填内容吗？</translation>
        </message>
    </context>
    <context>
        <name>VisitList</name>
        <message>
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Visitor</source>
            <translation>来访人</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>电话</translation>
        </message>
        <message>
            <source>Purpose</source>
            <translation>来访目的</translation>
        </message>
        <message>
            <source>Outcome</source>
            <translation>办理方式</translation>
        </message>
        <message>
            <source>Case</source>
            <translation>案件</translation>
        </message>
        <message>
            <source>Summary</source>
            <translation>诉求内容</translation>
        </message>
        <message>
            <source>Print the receipt again</source>
            <translation>重印回执单</translation>
        </message>
        <message>
            <source>Double-click a row</source>
            <translation>双击行即可</translation>
        </message>
        <message>
            <source>Show case</source>
            <translation>查看案件</translation>
        </message>
        <message>
            <source>Show full personal data…</source>
            <translation>查看完整个人信息…</translation>
        </message>
        <message>
            <source>Needs the permission; every look is logged</source>
            <translation>需相应权限，每次查看均记入日志</translation>
        </message>
        <message>
            <source>(removed)</source>
            <translation>（已删除）</translation>
        </message>
    </context>
    <context>
        <name>VoidDialog</name>
        <message>
            <source>Void the case</source>
            <translation>作废案件</translation>
        </message>
        <message>
            <source>Reason:</source>
            <translation>原因：</translation>
        </message>
        <message>
            <source>Why is the case invalid?</source>
            <translation>案件为何无效？</translation>
        </message>
        <message>
            <source>It duplicates another case</source>
            <translation>与其他案件重复</translation>
        </message>
        <message>
            <source>Search by number, title or address</source>
            <translation>按编号、标题或地址搜索</translation>
        </message>
        <message>
            <source>Original case:</source>
            <translation>原案件：</translation>
        </message>
        <message>
            <source>Void case</source>
            <translation>作废</translation>
        </message>
    </context>
    <context>
        <name>cli</name>
        <message>
            <source>{value!r} is not a language here: use zh or en</source>
            <translation>{value!r} 不是可用的语言：请用 zh 或 en</translation>
        </message>
        <message>
            <source>global options</source>
            <translation>全局选项</translation>
        </message>
        <message>
            <source>the data folder (the window's default: the per-user data folder)</source>
            <translation>数据文件夹（窗口默认使用本用户的数据文件夹）</translation>
        </message>
        <message>
            <source>language of the messages (default: Chinese; English when LANG is en_…)</source>
            <translation>提示信息的语言（默认中文；LANG 为 en_… 时用英文）</translation>
        </message>
        <message>
            <source>log to the console too, and show the details of an internal error</source>
            <translation>同时在控制台输出日志，并显示内部错误的详细信息</translation>
        </message>
        <message>
            <source>start the window on the demo district in its own folder</source>
            <translation>在演示辖区自己的文件夹中打开窗口</translation>
        </message>
        <message>
            <source>GridDesk (网格工作台). Without a command it opens the window; the commands below work without one (for clerks and scheduled tasks). In the source folder run them with .venv/bin/python main.py … (Windows: .venv\Scripts\python main.py …).</source>
            <translation>网格工作台（GridDesk）。不带命令时打开窗口；下列命令无需窗口即可运行（供工作人员和计划任务使用）。在源码文件夹中请用 .venv/bin/python main.py … 运行（Windows：.venv\Scripts\python main.py …）。</translation>
        </message>
        <message>
            <source>Examples:</source>
            <translation>示例：</translation>
        </message>
        <message>
            <source>commands</source>
            <translation>命令</translation>
        </message>
        <message>
            <source>{command} needs --data-dir FOLDER: the desk's data folder (before or after the command)</source>
            <translation>{command} 需要 --data-dir 文件夹：本工作台的数据文件夹（写在命令前后均可）</translation>
        </message>
        <message>
            <source>stopped (Ctrl+C)</source>
            <translation>已停止（Ctrl+C）</translation>
        </message>
        <message>
            <source>{command}: cannot use {path}: {reason}</source>
            <translation>{command}：无法使用 {path}：{reason}</translation>
        </message>
        <message>
            <source>{command} failed unexpectedly: {error}. This is a fault in GridDesk; run it again with --verbose to see the details and report them.</source>
            <translation>{command} 意外失败：{error}。这是网格工作台自身的故障；请加 --verbose 重新运行以查看详细信息，并报告给管理员。</translation>
        </message>
        <message>
            <source>done</source>
            <translation>完成</translation>
        </message>
        <message>
            <source>an unexpected error in GridDesk itself (run again with --verbose for the details)</source>
            <translation>网格工作台自身的意外错误（加 --verbose 重新运行可查看详情）</translation>
        </message>
        <message>
            <source>the command line, a file or the data folder needs fixing (the message says what)</source>
            <translation>命令行、文件或数据文件夹需要更正（提示信息会说明）</translation>
        </message>
        <message>
            <source>the county server cannot be reached, is the wrong address, broken or too slow</source>
            <translation>无法连接区县服务器，或地址错误、服务器故障、响应太慢</translation>
        </message>
        <message>
            <source>the county server refused the login</source>
            <translation>区县服务器拒绝登录</translation>
        </message>
        <message>
            <source>sync finished, but items were rejected or pulled items were kept aside</source>
            <translation>同步完成，但有条目被拒收，或拉取的条目被隔离</translation>
        </message>
        <message>
            <source>stopped with Ctrl+C</source>
            <translation>按 Ctrl+C 停止</translation>
        </message>
        <message>
            <source>usage: </source>
            <translation>用法：</translation>
        </message>
        <message>
            <source>options</source>
            <translation>选项</translation>
        </message>
        <message>
            <source>positional arguments</source>
            <translation>位置参数</translation>
        </message>
        <message>
            <source>show this help message and exit</source>
            <translation>显示本帮助并退出</translation>
        </message>
        <message>
            <source>argument %(argument_name)s: %(message)s</source>
            <translation>参数 %(argument_name)s：%(message)s</translation>
        </message>
        <message>
            <source>%(prog)s: error: %(message)s</source>
            <translation>%(prog)s：错误：%(message)s</translation>
        </message>
        <message>
            <source>unrecognized arguments: %s</source>
            <translation>无法识别的参数：%s</translation>
        </message>
        <message>
            <source>the following arguments are required: %s</source>
            <translation>缺少以下必需参数：%s</translation>
        </message>
        <message>
            <source>expected one argument</source>
            <translation>需要一个值</translation>
        </message>
        <message>
            <source>invalid choice: %(value)r (choose from %(choices)s)</source>
            <translation>无效的选择：%(value)r（可选：%(choices)s）</translation>
        </message>
        <message>
            <source>invalid %(type)s value: %(value)r</source>
            <translation>无效的 %(type)s 值：%(value)r</translation>
        </message>
        <message>
            <source>ambiguous option: %(option)s could match %(matches)s</source>
            <translation>选项不明确：%(option)s 可匹配 %(matches)s</translation>
        </message>
        <message>
            <source>ignored explicit argument %r</source>
            <translation>忽略了显式参数 %r</translation>
        </message>
        <message>
            <source>not allowed with argument %s</source>
            <translation>不能与参数 %s 同时使用</translation>
        </message>
        <message>
            <source>one of the arguments %s is required</source>
            <translation>必须给出参数 %s 之一</translation>
        </message>
        <message>
            <source>expected at most one argument</source>
            <translation>最多需要一个值</translation>
        </message>
        <message>
            <source>expected at least one argument</source>
            <translation>至少需要一个值</translation>
        </message>
        <message>
            <source>unknown parser %(parser_name)r (choices: %(choices)s)</source>
            <translation>未知的命令 %(parser_name)r（可选：%(choices)s）</translation>
        </message>
        <message>
            <source>can't open '%(filename)s': %(error)s</source>
            <translation>无法打开“%(filename)s”：%(error)s</translation>
        </message>
        <message>
            <source>Exit codes:</source>
            <translation>退出码：</translation>
        </message>
        <message>
            <source>xlsx: the workbook; docx: the 通报 document (Word); pdf: the workbook printed to PDF (default: from --out's extension)</source>
            <translation>xlsx：工作簿；docx：通报文档（Word）；pdf：打印为 PDF 的工作簿（默认按 --out 的扩展名）</translation>
        </message>
        <message>
            <source>--out must name a .{format} file</source>
            <translation>--out 必须是 .{format} 文件</translation>
        </message>
        <message>
            <source>通报 (Word)</source>
            <translation>通报（Word）</translation>
        </message>
        <message>
            <source>cannot write {path}: {reason}</source>
            <translation>无法写入 {path}：{reason}</translation>
        </message>
        <message>
            <source>{out}: {title} ({how}) — {created:,} registered, {due:,} due, {closed:,} closed, {overdue:,} overdue</source>
            <translation>{out}：{title}（{how}）— 登记 {created:,} 件，到期 {due:,} 件，办结 {closed:,} 件，超期 {overdue:,} 件</translation>
        </message>
        <message>
            <source>{path} is a file, not a folder: --data-dir names a folder</source>
            <translation>{path} 是文件而不是文件夹：--data-dir 应指定文件夹</translation>
        </message>
        <message>
            <source>no GridDesk database in {path}</source>
            <translation>{path} 中没有网格工作台数据库</translation>
        </message>
        <message>
            <source>write the half-monthly bulletin workbook (半月通报) of a period</source>
            <translation>导出某一期的半月通报工作簿</translation>
        </message>
        <message>
            <source>YYYY-MM-H1 (1st-15th), YYYY-MM-H2 (16th-end), YYYY-MM, YYYY-MM-DD..YYYY-MM-DD, or last (the last complete half-month)</source>
            <translation>YYYY-MM-H1（1日至15日）、YYYY-MM-H2（16日至月末）、YYYY-MM、YYYY-MM-DD..YYYY-MM-DD，或 last（最近一个已结束的半月）</translation>
        </message>
        <message>
            <source>the code of the street or community to report (default: what this data folder holds); --list-units or --scope help lists the codes</source>
            <translation>要统计的街道或社区代码（默认：本数据文件夹完整持有的范围）；--list-units 或 --scope help 列出可用代码</translation>
        </message>
        <message>
            <source>list the scopes this data folder can report, by code and name, and exit</source>
            <translation>列出本数据文件夹可统计的范围（代码和名称）后退出</translation>
        </message>
        <message>
            <source>the file to write (.xlsx, .docx or .pdf)</source>
            <translation>要写入的文件（.xlsx、.docx 或 .pdf）</translation>
        </message>
        <message>
            <source>no progress output</source>
            <translation>不显示进度</translation>
        </message>
        <message>
            <source>--period and --out are required (or --list-units), for example --period last --out 通报.xlsx</source>
            <translation>需要 --period 和 --out（或 --list-units），例如 --period last --out 通报.xlsx</translation>
        </message>
        <message>
            <source>warning: {period} has not ended; the figures go up to {at}</source>
            <translation>注意：{period} 尚未结束，数据截至 {at}</translation>
        </message>
        <message>
            <source>warning: no holiday calendar for {years}; working days counted Monday-Friday</source>
            <translation>注意：没有 {years} 年的节假日安排，按周一至周五计算工作日</translation>
        </message>
        <message>
            <source>{out}: {title} — {created:,} registered, {due:,} due, {closed:,} closed, {overdue:,} overdue</source>
            <translation>{out}：{title} — 登记 {created:,} 件，到期 {due:,} 件，办结 {closed:,} 件，超期 {overdue:,} 件</translation>
        </message>
        <message>
            <source>this data folder holds no street's or community's complete cases; the bulletin comes from the county centre (python -m county_server export-bulletin)</source>
            <translation>本数据文件夹没有任何街道或社区的完整案件；通报由区县中心导出（python -m county_server export-bulletin）</translation>
        </message>
        <message>
            <source>(default)</source>
            <translation>（默认）</translation>
        </message>
        <message>
            <source>remove visitors' personal data older than the retention period</source>
            <translation>删除超过保存期限的来访人个人信息</translation>
        </message>
        <message>
            <source>only count the visits that would be purged</source>
            <translation>只统计将被清除的来访记录数</translation>
        </message>
        <message>
            <source>{count} visit(s) registered before {cutoff} would lose their personal data</source>
            <translation>{cutoff} 之前登记的 {count} 条来访记录将被清除个人信息</translation>
        </message>
        <message>
            <source>personal data removed from {count} visit(s) registered before {cutoff}</source>
            <translation>已清除 {cutoff} 之前登记的 {count} 条来访记录的个人信息</translation>
        </message>
        <message>
            <source>log in, render a screen offscreen and save it as PNG</source>
            <translation>登录并在后台渲染一个界面，保存为 PNG</translation>
        </message>
        <message>
            <source>who logs in (password from GRIDDESK_PASSWORD)</source>
            <translation>登录的用户（密码取自 GRIDDESK_PASSWORD）</translation>
        </message>
        <message>
            <source>the PNG to write</source>
            <translation>要写入的 PNG 文件</translation>
        </message>
        <message>
            <source>window size, WIDTHxHEIGHT (default 1400x900)</source>
            <translation>窗口大小，宽x高（默认 1400x900）</translation>
        </message>
        <message>
            <source>set the password in the environment variable GRIDDESK_PASSWORD</source>
            <translation>请在环境变量 GRIDDESK_PASSWORD 中设置密码</translation>
        </message>
        <message>
            <source>--size must look like 1366x768 (each from 200 to 10000)</source>
            <translation>--size 的格式应为 1366x768（宽、高均在 200 至 10000 之间）</translation>
        </message>
        <message>
            <source>create the demo district with N cases</source>
            <translation>生成含 N 件案件的演示辖区</translation>
        </message>
        <message>
            <source>how many cases (default {n}, as the county's)</source>
            <translation>案件数（默认 {n}，与区县一致）</translation>
        </message>
        <message>
            <source>the random seed (the same seed gives the same district)</source>
            <translation>随机种子（种子相同，辖区相同）</translation>
        </message>
        <message>
            <source>the history ends at 00:00 (Beijing) of that day (default: today)</source>
            <translation>历史数据截至该日 0:00（北京时间）（默认：今天）</translation>
        </message>
        <message>
            <source>{value!r} is not a whole number of 0 or more</source>
            <translation>{value!r} 不是大于等于 0 的整数</translation>
        </message>
        <message>
            <source>{value!r} is not a date like 2026-11-16</source>
            <translation>{value!r} 不是日期，格式如 2026-11-16</translation>
        </message>
        <message>
            <source>  {done:&gt;9,} / {total:,} cases  ({seconds:.0f} s)</source>
            <translation>  {done:&gt;9,} / {total:,} 件案件（{seconds:.0f} 秒）</translation>
        </message>
        <message>
            <source>demo district in {folder}: {units} org units, {departments} departments, {users} users, {cases:,} cases, {events:,} events, {visits:,} visits up to 00:00 of {today} (Beijing) in {seconds:.1f} s</source>
            <translation>演示辖区已生成于 {folder}：{units} 个组织单位、{departments} 个部门、{users} 个用户、{cases:,} 件案件、{events:,} 条事件、{visits:,} 条来访，截至 {today} 0:00（北京时间），用时 {seconds:.1f} 秒</translation>
        </message>
        <message>
            <source>push and pull once against the county server</source>
            <translation>与区县服务器推送并拉取一次</translation>
        </message>
        <message>
            <source>One sync round without a window: what this desk recorded goes up to the county server, what the county holds for this desk comes down, and the figures are printed per type. A folder without a GridDesk database is refused unless --create is given (a new desk). With --user that person logs in first (password from the environment variable GRIDDESK_PASSWORD, never stored); otherwise the logins kept on this desk are used.</source>
            <translation>不打开窗口进行一轮同步：本工作台记录的内容上传到区县服务器，区县为本工作台保存的内容下载下来，并按类型打印数量。没有网格工作台数据库的文件夹会被拒绝，除非给出 --create（新工作台）。给出 --user 时该用户先登录（密码取自环境变量 GRIDDESK_PASSWORD，不会保存）；否则使用本工作台已保存的登录。</translation>
        </message>
        <message>
            <source>make the data folder and an empty database when there is none (a new desk)</source>
            <translation>没有数据库时创建数据文件夹和空数据库（新工作台）</translation>
        </message>
        <message>
            <source>county server address, http://HOST:PORT or https://HOST (stored for next time; without http:// or https://, http:// is assumed)</source>
            <translation>区县服务器地址，http://主机:端口 或 https://主机（会保存供下次使用；不写 http:// 或 https:// 时按 http:// 处理）</translation>
        </message>
        <message>
            <source>log this county user in first (password from GRIDDESK_PASSWORD); without it, the logins already kept on this desk are used</source>
            <translation>先登录此区县用户（密码取自 GRIDDESK_PASSWORD）；不给出时使用本工作台已保存的登录</translation>
        </message>
        <message>
            <source>seconds per request, 1 to 3600 (default 30)</source>
            <translation>每个请求的秒数，1 至 3600（默认 30）</translation>
        </message>
        <message>
            <source>seconds the whole round may take, 1 to 86400 (default: the setting, 600)</source>
            <translation>整轮同步最多允许的秒数，1 至 86400（默认：按设置，600）</translation>
        </message>
        <message>
            <source>{value!r} is not a number of seconds from 1 to {most}</source>
            <translation>{value!r} 不是 1 至 {most} 之间的秒数</translation>
        </message>
        <message>
            <source>sync failed: {error} (details in the log file)</source>
            <translation>同步失败：{error}（详情见日志文件）</translation>
        </message>
        <message>
            <source>set the environment variable GRIDDESK_PASSWORD to the password of --user</source>
            <translation>请将环境变量 GRIDDESK_PASSWORD 设为 --user 的密码</translation>
        </message>
        <message>
            <source>note: {given} has no http:// or https://; using {url}</source>
            <translation>注意：{given} 没有写 http:// 或 https://，按 {url} 处理</translation>
        </message>
        <message>
            <source>to start a new desk in that folder, add --create</source>
            <translation>要在该文件夹中新建工作台，请加 --create</translation>
        </message>
        <message>
            <source>bad server address {url!r}: {reason} (for example http://127.0.0.1:8765)</source>
            <translation>服务器地址 {url!r} 无效：{reason}（例如 http://127.0.0.1:8765）</translation>
        </message>
        <message>
            <source>no server address: pass --server http://HOST:PORT</source>
            <translation>没有服务器地址：请用 --server http://主机:端口 指定</translation>
        </message>
        <message>
            <source>nobody is logged in to {url} on this desk: pass --user NAME with the password in GRIDDESK_PASSWORD</source>
            <translation>本工作台没有人登录 {url}：请用 --user 用户名，并在 GRIDDESK_PASSWORD 中给出密码</translation>
        </message>
        <message>
            <source>cases</source>
            <translation>案件</translation>
        </message>
        <message>
            <source>case events</source>
            <translation>案件事件</translation>
        </message>
        <message>
            <source>visits</source>
            <translation>来访</translation>
        </message>
        <message>
            <source>users</source>
            <translation>用户</translation>
        </message>
        <message>
            <source>org units</source>
            <translation>组织单位</translation>
        </message>
        <message>
            <source>departments</source>
            <translation>部门</translation>
        </message>
        <message>
            <source>categories</source>
            <translation>类别</translation>
        </message>
        <message>
            <source>holidays</source>
            <translation>节假日</translation>
        </message>
        <message>
            <source>settings</source>
            <translation>设置项</translation>
        </message>
        <message>
            <source>came down (the county's feed read from the beginning):</source>
            <translation>下载（从头读取区县的数据流）：</translation>
        </message>
        <message>
            <source>came down:</source>
            <translation>下载：</translation>
        </message>
        <message>
            <source>new</source>
            <translation>新增</translation>
        </message>
        <message>
            <source>updated</source>
            <translation>更新</translation>
        </message>
        <message>
            <source>went up:</source>
            <translation>上传：</translation>
        </message>
        <message>
            <source>accepted</source>
            <translation>接收</translation>
        </message>
        <message>
            <source>already there</source>
            <translation>已存在</translation>
        </message>
        <message>
            <source>rejected</source>
            <translation>拒收</translation>
        </message>
        <message>
            <source>waiting for a county login: {count}</source>
            <translation>等待区县登录：{count}</translation>
        </message>
        <message>
            <source>dropped {cases} cases and {visits} visits outside this desk's scope</source>
            <translation>已删除本工作台范围以外的 {cases} 件案件和 {visits} 条来访</translation>
        </message>
        <message>
            <source>rejected {kind} {id}: {code} — {message}</source>
            <translation>被拒收 {kind} {id}：{code} — {message}</translation>
        </message>
        <message>
            <source>{count} items wait for {person} ({username}) to log in</source>
            <translation>{count} 个条目等待 {person}（{username}）登录</translation>
        </message>
        <message>
            <source>{count} pulled items break the protocol and were kept aside</source>
            <translation>{count} 条拉取的数据不符合协议，已隔离</translation>
        </message>
        <message>
            <source>{count} rejected items wait for a decision on the sync screen</source>
            <translation>{count} 个被拒收的条目等待在同步界面处理</translation>
        </message>
        <message>
            <source>the screen {view!r} is not available to {user}; available: {screens}</source>
            <translation>用户 {user} 没有界面 {view!r}；可用的界面：{screens}</translation>
        </message>
        <message>
            <source>could not write {path}</source>
            <translation>无法写入 {path}</translation>
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
            <source>look up a case's progress for a visitor</source>
            <translation>为来访人查询案件办理进度</translation>
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
            <source>awaiting dispatch</source>
            <translation>待派遣</translation>
        </message>
        <message>
            <source>being handled, on time</source>
            <translation>处置中（未超期）</translation>
        </message>
        <message>
            <source>due within 24 hours</source>
            <translation>24小时内到期</translation>
        </message>
        <message>
            <source>overdue</source>
            <translation>已超期</translation>
        </message>
        <message>
            <source>no open cases</source>
            <translation>无在办案件</translation>
        </message>
        <message>
            <source>open cases, none overdue</source>
            <translation>有在办案件，无超期</translation>
        </message>
        <message>
            <source>10 or more open cases</source>
            <translation>在办案件10件及以上</translation>
        </message>
        <message>
            <source>1–2 overdue cases</source>
            <translation>超期案件1–2件</translation>
        </message>
        <message>
            <source>3 or more overdue cases</source>
            <translation>超期案件3件及以上</translation>
        </message>
        <message>
            <source>There is no grid {grid}.</source>
            <translation>网格 {grid} 不存在。</translation>
        </message>
        <message>
            <source>Grid {grid} lies outside your area of responsibility.</source>
            <translation>网格 {grid} 不在您的管辖范围内。</translation>
        </message>
        <message>
            <source>There is no case {case}.</source>
            <translation>案件 {case} 不存在。</translation>
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
            <source>The {field_label} must be a whole number.</source>
            <translation>{field_label}必须是整数。</translation>
        </message>
        <message>
            <source>The {field_label} must be a number.</source>
            <translation>{field_label}必须是数字。</translation>
        </message>
        <message>
            <source>The {field_label} is not valid; expected one of: {expected}.</source>
            <translation>{field_label}无效，应为以下之一：{expected}。</translation>
        </message>
        <message>
            <source>The {field_label} contains a character that is not allowed (NUL, a control character or a broken surrogate).</source>
            <translation>{field_label}含有不允许的字符（NUL、控制字符或残缺的代理字符）。</translation>
        </message>
        <message>
            <source>The {field_label} holds NaN or Infinity, which JSON does not allow.</source>
            <translation>{field_label}含有 NaN 或 Infinity，JSON 不允许这样的值。</translation>
        </message>
        <message>
            <source>The {field_label} must lie between 2000-01-01 and one day after the county's clock.</source>
            <translation>{field_label}必须在 2000-01-01 与区县服务器时间之后一天之间。</translation>
        </message>
        <message>
            <source>The {field_label} must lie at most 366 days after the event.</source>
            <translation>{field_label}最多只能在事件发生后 366 天以内。</translation>
        </message>
        <message>
            <source>The case number must read {{street code}}-{{yyyymmdd}}-{{desk code}}{{serial}}, such as 990101001-20261120-03007.</source>
            <translation>案件编号格式应为 {{街道代码}}-{{年月日}}-{{台号}}{{序号}}，例如 990101001-20261120-03007。</translation>
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
            <source>The {field_label} must be a SHA-256 in 64 lower-case hexadecimal digits.</source>
            <translation>{field_label}必须是 64 位小写十六进制的 SHA-256 值。</translation>
        </message>
        <message>
            <source>The file name in {field_label} must have 1 to 120 characters and no path separators.</source>
            <translation>{field_label}中的文件名须为 1 至 120 个字符，且不含路径分隔符。</translation>
        </message>
        <message>
            <source>The {field_label} has too many entries (at most {max}).</source>
            <translation>{field_label}的条目过多（最多 {max} 条）。</translation>
        </message>
        <message>
            <source>The {field_label} must be a size in bytes (0 or more).</source>
            <translation>{field_label}必须是以字节计的大小（0 或以上）。</translation>
        </message>
        <message>
            <source>The {field_label} must be a list.</source>
            <translation>{field_label}必须是列表。</translation>
        </message>
        <message>
            <source>The {field_label} must be a date such as 2027-01-01.</source>
            <translation>{field_label}必须是日期，例如 2027-01-01。</translation>
        </message>
        <message>
            <source>The {field_label} must be a GeoJSON Polygon or MultiPolygon with finite numbers.</source>
            <translation>{field_label}必须是由有限数值组成的 GeoJSON Polygon 或 MultiPolygon。</translation>
        </message>
        <message>
            <source>The {field_label} is not valid.</source>
            <translation>{field_label}无效。</translation>
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
            <source>Select at least one case to dispatch.</source>
            <translation>请至少选择一件要派遣的案件。</translation>
        </message>
        <message>
            <source>Choose the department, grid worker or unit to dispatch to.</source>
            <translation>请选择要派遣的职能部门、网格员或单位。</translation>
        </message>
        <message>
            <source>Say why you return the case, e.g. which department it belongs to.</source>
            <translation>请说明退回原因，例如应由哪个部门办理。</translation>
        </message>
        <message>
            <source>The file {name} cannot be read; check that it still exists.</source>
            <translation>无法读取文件 {name}，请确认文件仍然存在。</translation>
        </message>
        <message>
            <source>{name} is a folder; attach files only.</source>
            <translation>{name} 是文件夹，只能添加文件。</translation>
        </message>
        <message>
            <source>The attachment {name} could not be saved in the data folder; check the free space on the disk.</source>
            <translation>附件 {name} 无法保存到数据文件夹；请检查磁盘剩余空间。</translation>
        </message>
        <message>
            <source>The file {name} is {size} MB; attachments may be at most {maximum} MB.</source>
            <translation>文件 {name} 大小为 {size} MB，附件不能超过 {maximum} MB。</translation>
        </message>
        <message>
            <source>The file {name} is not a photo (JPEG, PNG, WebP) or a PDF document; only those can be attached. Save it as one of them and attach it again.</source>
            <translation>文件 {name} 不是照片（JPEG、PNG、WebP）或 PDF 文档，只能添加这几类文件。请另存为其中一种格式后重新添加。</translation>
        </message>
        <message>
            <source>Describe what was done and the result.</source>
            <translation>请填写处置情况和结果。</translation>
        </message>
        <message>
            <source>Attach at most {maximum} files.</source>
            <translation>最多添加 {maximum} 个附件。</translation>
        </message>
        <message>
            <source>Say what must be redone when the check fails.</source>
            <translation>核查不通过时，请写明需要返工的内容。</translation>
        </message>
        <message>
            <source>Say how the case was settled before closing it.</source>
            <translation>结案前请写明办结情况。</translation>
        </message>
        <message>
            <source>Say why the case needs the higher level.</source>
            <translation>请说明需要上级处理的原因。</translation>
        </message>
        <message>
            <source>Choose a unit above your own to escalate to.</source>
            <translation>请选择本单位的上级单位进行上报。</translation>
        </message>
        <message>
            <source>Write what you urge the assignee to do.</source>
            <translation>请填写督办意见。</translation>
        </message>
        <message>
            <source>Say why the deadline is extended.</source>
            <translation>请填写延期原因。</translation>
        </message>
        <message>
            <source>Choose a new deadline in the future.</source>
            <translation>新时限必须晚于当前时间。</translation>
        </message>
        <message>
            <source>Say why the case is suspended, e.g. waiting for budget.</source>
            <translation>请填写挂账原因，例如等待资金。</translation>
        </message>
        <message>
            <source>Say why the case is voided.</source>
            <translation>请填写作废原因。</translation>
        </message>
        <message>
            <source>A case cannot be a duplicate of itself.</source>
            <translation>案件不能作为自身的重复件。</translation>
        </message>
        <message>
            <source>Pick the original case from the list.</source>
            <translation>请从列表中选择原案件。</translation>
        </message>
        <message>
            <source>Case {number} is voided itself; pick the case that is still valid.</source>
            <translation>案件 {number} 本身已作废，请选择仍然有效的案件。</translation>
        </message>
        <message>
            <source>Write the comment first.</source>
            <translation>请先填写备注内容。</translation>
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
            <source>{setting} is {length} characters long; shorten it to {limit}.</source>
            <translation>{setting} 有 {length} 个字，请缩短到 {limit} 个字以内。</translation>
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
            <source>The desk code has two digits, 01 to 99, as the county gave it; leave it empty if you have none.</source>
            <translation>台号为区县给出的两位数字（01 至 99）；没有台号请留空。</translation>
        </message>
        <message>
            <source>Enter the county server's address, e.g. https://county.example:8443.</source>
            <translation>请输入区（县）服务器地址，例如 https://county.example:8443。</translation>
        </message>
        <message>
            <source>Enter your username.</source>
            <translation>请输入用户名。</translation>
        </message>
        <message>
            <source>Enter your password.</source>
            <translation>请输入密码。</translation>
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
            <translation>演示案件数量不能为负数。</translation>
        </message>
        <message>
            <source>The demo's day {day} is after today ({today}); its history would lie in the future.</source>
            <translation>演示数据的日期 {day} 晚于今天（{today}），其历史记录将落在未来。</translation>
        </message>
        <message>
            <source>This database already holds cases; the demo district can only be loaded into an empty database.</source>
            <translation>当前数据库中已有案件数据，演示辖区数据只能导入空数据库。</translation>
        </message>
        <message>
            <source>The org unit {unit_id} does not exist.</source>
            <translation>单位 {unit_id} 不存在。</translation>
        </message>
        <message>
            <source>The assessment covers the whole county, a street or a community; {name} is a grid.</source>
            <translation>考核统计范围应为全区、街道或社区，“{name}”是网格。</translation>
        </message>
        <message>
            <source>A bulletin is exported as {formats}; {format} is not one of them.</source>
            <translation>通报只能导出为 {formats}，不能导出为 {format}。</translation>
        </message>
        <message>
            <source>No archived bulletin {export_id} is held here.</source>
            <translation>本机没有编号为 {export_id} 的存档通报。</translation>
        </message>
        <message>
            <source>{name} lies outside your area, so you cannot see its assessment.</source>
            <translation>“{name}”不在您的管辖范围内，无法查看其考核情况。</translation>
        </message>
        <message>
            <source>The export was cancelled; no file was written.</source>
            <translation>已取消导出，未生成文件。</translation>
        </message>
        <message>
            <source>{text} is not a period; write 2026-11-H1 or 2026-11-H2 for a half-month, 2026-11 for a month, or 2026-11-03..2026-11-20 for a range of days.</source>
            <translation>“{text}”不是有效的统计时段，半月请写作 2026-11-H1 或 2026-11-H2，月度写作 2026-11，自定义时段写作 2026-11-03..2026-11-20。</translation>
        </message>
        <message>
            <source>The range ends ({last}) before it starts ({first}); swap the dates.</source>
            <translation>结束日期（{last}）早于开始日期（{first}），请调换两个日期。</translation>
        </message>
        <message>
            <source>To sign for</source>
            <translation>待签收</translation>
        </message>
        <message>
            <source>In hand</source>
            <translation>办理中</translation>
        </message>
        <message>
            <source>Sent back for rework</source>
            <translation>返工</translation>
        </message>
        <message>
            <source>Reported, awaiting verification</source>
            <translation>已反馈待核查</translation>
        </message>
        <message>
            <source>Give the filter a name, such as 本周超期.</source>
            <translation>请为筛选命名，例如“本周超期”。</translation>
        </message>
        <message>
            <source>The name is {length} characters long; keep it under {maximum}.</source>
            <translation>名称长 {length} 个字，请不超过 {maximum} 个字。</translation>
        </message>
        <message>
            <source>Choose at least one condition before saving the filter.</source>
            <translation>请至少选择一个筛选条件再保存。</translation>
        </message>
        <message>
            <source>There is no saved filter called {name}.</source>
            <translation>没有名为“{name}”的常用筛选。</translation>
        </message>
        <message>
            <source>closed on the spot</source>
            <translation>当场办结</translation>
        </message>
        <message>
            <source>case opened</source>
            <translation>受理立案</translation>
        </message>
        <message>
            <source>added to an open case</source>
            <translation>并入已有案件</translation>
        </message>
        <message>
            <source>recorded only</source>
            <translation>仅登记</translation>
        </message>
        <message>
            <source>complaint</source>
            <translation>投诉</translation>
        </message>
        <message>
            <source>request</source>
            <translation>求助</translation>
        </message>
        <message>
            <source>consultation</source>
            <translation>咨询</translation>
        </message>
        <message>
            <source>dispute</source>
            <translation>纠纷</translation>
        </message>
        <message>
            <source>other</source>
            <translation>其他</translation>
        </message>
        <message>
            <source>male</source>
            <translation>男</translation>
        </message>
        <message>
            <source>female</source>
            <translation>女</translation>
        </message>
        <message>
            <source>Enter the visitor's name.</source>
            <translation>请输入来访人姓名。</translation>
        </message>
        <message>
            <source>The name is {length} characters long; keep it to {maximum}.</source>
            <translation>姓名长度为{length}个字，请不超过{maximum}个字。</translation>
        </message>
        <message>
            <source>Enter a summary of what the visitor asks for or reports.</source>
            <translation>请填写诉求内容：来访人反映的问题或提出的诉求。</translation>
        </message>
        <message>
            <source>The summary is {length} characters long; shorten it to {maximum}.</source>
            <translation>诉求内容共{length}个字，请精简到{maximum}个字以内。</translation>
        </message>
        <message>
            <source>The address is {length} characters long; shorten it to {maximum}.</source>
            <translation>地址共{length}个字，请精简到{maximum}个字以内。</translation>
        </message>
        <message>
            <source>The note is {length} characters long; shorten it to {maximum}.</source>
            <translation>答复内容共{length}个字，请精简到{maximum}个字以内。</translation>
        </message>
        <message>
            <source>Choose the purpose of the visit.</source>
            <translation>请选择来访目的。</translation>
        </message>
        <message>
            <source>Choose male or female, or leave the gender empty.</source>
            <translation>请选择男或女，或不填性别。</translation>
        </message>
        <message>
            <source>The ID number belongs to a {gender_label} visitor; correct the gender or the ID number.</source>
            <translation>该身份证号码对应的性别为{gender_label}，请核对性别或身份证号码。</translation>
        </message>
        <message>
            <source>Choose a category; type part of its name, such as 井盖, to find it.</source>
            <translation>请选择问题类别，可输入类别名称的一部分（如“井盖”）查找。</translation>
        </message>
        <message>
            <source>The category {code} is not known or no longer in use; choose another.</source>
            <translation>问题类别 {code} 不存在或已停用，请另选类别。</translation>
        </message>
        <message>
            <source>Choose the grid (or community or street) where the problem is.</source>
            <translation>请选择问题所在的网格（或社区、街道）。</translation>
        </message>
        <message>
            <source>The place {code} is not a street, community or grid of this district.</source>
            <translation>{code} 不是本辖区的街道、社区或网格。</translation>
        </message>
        <message>
            <source>The map position is not valid; pick the place on the map again.</source>
            <translation>地图位置无效，请在地图上重新选点。</translation>
        </message>
        <message>
            <source>Choose how the visit ends: closed on the spot, case opened, or recorded only.</source>
            <translation>请选择办理方式：当场办结、受理立案或仅登记。</translation>
        </message>
        <message>
            <source>Case {number} is already {state_label}; open a new case instead.</source>
            <translation>案件 {number} 当前状态为“{state_label}”，无法并入，请新建案件。</translation>
        </message>
        <message>
            <source>The category {name} has no default department, so the case cannot be dispatched at once; open it without dispatching and dispatch it from the queue.</source>
            <translation>问题类别“{name}”未设置默认处置部门，无法立即派遣。请取消“立即派遣”后受理，再到派遣队列中派遣。</translation>
        </message>
        <message>
            <source>Files go on a new case; a visit only recorded, or added to an open case, keeps none. Remove the files, or open a new case.</source>
            <translation>附件随新案件保存；仅登记或并入已有案件的来访不保存附件。请移除附件，或改为新建案件。</translation>
        </message>
        <message>
            <source>The visit {visit_id} does not exist.</source>
            <translation>来访记录 {visit_id} 不存在。</translation>
        </message>
        <message>
            <source>This visit was registered outside your area.</source>
            <translation>该来访记录不在您的辖区范围内。</translation>
        </message>
        <message>
            <source>The visitor's personal data was removed on {date} after the retention period; only the anonymous record is kept.</source>
            <translation>该来访人的个人信息已于{date}因超过保存期限被删除，仅保留匿名记录。</translation>
        </message>
        <message>
            <source>Only the name, phone, ID number and address can be shown.</source>
            <translation>只能查看姓名、电话、身份证号码和住址。</translation>
        </message>
        <message>
            <source>The end date {end} is before the start date {start}.</source>
            <translation>结束日期 {end} 早于开始日期 {start}。</translation>
        </message>
        <message>
            <source>The query code does not match case {number}; check both and try again.</source>
            <translation>查询码与案件 {number} 不符，请核对后重试。</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Visitor</source>
            <translation>来访人</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>电话</translation>
        </message>
        <message>
            <source>Purpose</source>
            <translation>来访目的</translation>
        </message>
        <message>
            <source>Outcome</source>
            <translation>办理方式</translation>
        </message>
        <message>
            <source>Case number</source>
            <translation>案件编号</translation>
        </message>
        <message>
            <source>Summary</source>
            <translation>诉求内容</translation>
        </message>
        <message>
            <source>This rejected item is no longer waiting for a decision.</source>
            <translation>该被退回的记录已处理，无需再次处理。</translation>
        </message>
        <message>
            <source>The item cannot be sent again as it is: {reason}</source>
            <translation>该记录无法按原样重新上传：{reason}</translation>
        </message>
        <message>
            <source>Only a case the county refused for its number can be renumbered.</source>
            <translation>只有因编号重复被区县退回的案件才能重新编号。</translation>
        </message>
        <message>
            <source>This case lies outside your area; ask a colleague of its area.</source>
            <translation>该案件不在您的辖区内，请联系所属辖区的同事处理。</translation>
        </message>
        <message>
            <source>Only a rejected dispatch can be dispatched again.</source>
            <translation>只有被退回的派遣记录才能重新派遣。</translation>
        </message>
        <message>
            <source>Say why you need the full value (1 to 200 characters).</source>
            <translation>请填写查看完整信息的事由（1 至 200 字）。</translation>
        </message>
        <message>
            <source>Only a phone or an ID number can be revealed.</source>
            <translation>只能查看电话或身份证号。</translation>
        </message>
        <message>
            <source>No base map (plain background)</source>
            <translation>不使用底图（空白底图）</translation>
        </message>
        <message>
            <source>Tianditu vector map</source>
            <translation>天地图矢量地图</translation>
        </message>
        <message>
            <source>Tianditu satellite imagery</source>
            <translation>天地图影像地图</translation>
        </message>
        <message>
            <source>Tile server (XYZ or WMTS address)</source>
            <translation>瓦片服务（XYZ 或 WMTS 地址）</translation>
        </message>
        <message>
            <source>Offline MBTiles file</source>
            <translation>离线 MBTiles 文件</translation>
        </message>
        <message>
            <source>Choose a base map from the list.</source>
            <translation>请从列表中选择底图。</translation>
        </message>
        <message>
            <source>Enter a tile address starting with http:// or https://, for example {example}.</source>
            <translation>请输入以 http:// 或 https:// 开头的瓦片地址，例如 {example}。</translation>
        </message>
        <message>
            <source>The tile address needs the placeholders {{z}}, {{x}} and {{y}} (for WMTS: TILEMATRIX={{z}}&amp;TILEROW={{y}}&amp;TILECOL={{x}}); missing: {missing}.</source>
            <translation>瓦片地址须包含占位符 {{z}}、{{x}} 和 {{y}}（WMTS 地址为 TILEMATRIX={{z}}&amp;TILEROW={{y}}&amp;TILECOL={{x}}），缺少：{missing}。</translation>
        </message>
        <message>
            <source>The Tianditu key (tk) has only letters and digits; check it.</source>
            <translation>天地图密钥（tk）只包含字母和数字，请核对。</translation>
        </message>
        <message>
            <source>The MBTiles file {path} does not exist.</source>
            <translation>MBTiles 文件 {path} 不存在。</translation>
        </message>
        <message>
            <source>{path} is not an MBTiles file (an SQLite file with the tables metadata and tiles).</source>
            <translation>{path} 不是 MBTiles 文件（应为含 metadata 和 tiles 表的 SQLite 文件）。</translation>
        </message>
        <message>
            <source>The MBTiles file {path} contains no tiles.</source>
            <translation>MBTiles 文件 {path} 中没有瓦片。</translation>
        </message>
        <message>
            <source>The MBTiles file holds {format} tiles; the map can show png, jpg and webp tiles.</source>
            <translation>该 MBTiles 文件中是 {format} 格式的瓦片，地图只能显示 png、jpg 和 webp 格式。</translation>
        </message>
        <message>
            <source>The Tianditu base map needs the key (tk) of your office.</source>
            <translation>使用天地图底图须填写本单位的密钥（tk）。</translation>
        </message>
        <message>
            <source>Enter the tile server's address.</source>
            <translation>请输入瓦片服务地址。</translation>
        </message>
        <message>
            <source>The visit's field {field} is missing or not valid.</source>
            <translation>来访登记的字段 {field} 缺失或无效。</translation>
        </message>
        <message>
            <source>Rank</source>
            <translation>排名</translation>
        </message>
        <message>
            <source>Unit</source>
            <translation>单位</translation>
        </message>
        <message>
            <source>Cases registered</source>
            <translation>受理数</translation>
        </message>
        <message>
            <source>Dispatched</source>
            <translation>派遣数</translation>
        </message>
        <message>
            <source>Signed for in time</source>
            <translation>及时签收率</translation>
        </message>
        <message>
            <source>Cases due</source>
            <translation>应结案数</translation>
        </message>
        <message>
            <source>Cases closed</source>
            <translation>结案数</translation>
        </message>
        <message>
            <source>Closed on time</source>
            <translation>按期结案数</translation>
        </message>
        <message>
            <source>Closure rate</source>
            <translation>结案率</translation>
        </message>
        <message>
            <source>On-time rate</source>
            <translation>按期结案率</translation>
        </message>
        <message>
            <source>Cases overdue</source>
            <translation>超期数</translation>
        </message>
        <message>
            <source>Rework</source>
            <translation>返工数</translation>
        </message>
        <message>
            <source>Returned</source>
            <translation>退回数</translation>
        </message>
        <message>
            <source>Mean handling time (working days)</source>
            <translation>平均处置时长(工作日)</translation>
        </message>
        <message>
            <source>Evaluations</source>
            <translation>回访评价数</translation>
        </message>
        <message>
            <source>Satisfaction</source>
            <translation>满意率</translation>
        </message>
        <message>
            <source>Score</source>
            <translation>综合得分</translation>
        </message>
        <message>
            <source>Category</source>
            <translation>分类</translation>
        </message>
        <message>
            <source>Assignee</source>
            <translation>承办单位</translation>
        </message>
        <message>
            <source>Deadline</source>
            <translation>处置时限</translation>
        </message>
        <message>
            <source>Overdue (working days)</source>
            <translation>超期时长（工作日）</translation>
        </message>
        <message>
            <source>State at the period's end</source>
            <translation>期末状态</translation>
        </message>
        <message>
            <source>Supervised</source>
            <translation>是否督办</translation>
        </message>
        <message>
            <source>Subcategory</source>
            <translation>小类</translation>
        </message>
        <message>
            <source>The {label} is {length} characters long; shorten it to {maximum}.</source>
            <translation>{label}有 {length} 个字，请缩短到 {maximum} 个字以内。</translation>
        </message>
        <message>
            <source>Type the case number printed on the receipt, e.g. 990101001-20261120-03007.</source>
            <translation>请输入回执单上的案件编号，例如 990101001-20261120-03007。</translation>
        </message>
        <message>
            <source>“{typed}” is not a case number. A case number reads like 990101001-20261120-03007: 9 digits, the date (8 digits) and 4 or 5 digits, joined by hyphens.</source>
            <translation>“{typed}”不是案件编号。案件编号形如 990101001-20261120-03007：9位数字、日期（8位数字）和4或5位数字，以连字符相连。</translation>
        </message>
        <message>
            <source>Type the query code printed on the receipt below the case number.</source>
            <translation>请输入回执单上案件编号下方的查询码。</translation>
        </message>
        <message>
            <source>A query code has 8 characters, the digits 0–9 and the letters A–F, like 3F9A-07C2; check what was typed.</source>
            <translation>查询码共8位，由数字0–9和字母A–F组成，形如 3F9A-07C2，请核对输入。</translation>
        </message>
        <message>
            <source>No case has this number and query code. Check both against the receipt; a receipt without a case number records a consultation and has no progress to follow.</source>
            <translation>没有与此案件编号和查询码相符的案件。请对照回执单核对两者；没有案件编号的回执单只记录咨询，无办理进度可查。</translation>
        </message>
        <message>
            <source>Type the visitor's whole phone number: an 11-digit mobile, or a landline with its area code.</source>
            <translation>请输入来访人的完整电话号码：11位手机号，或带区号的固定电话。</translation>
        </message>
        <message>
            <source>No case of a visitor with this phone number was registered in your area. Ask for the receipt and look the case up by its number and query code.</source>
            <translation>本辖区没有登记过该电话号码来访人的案件。请索要回执单，按案件编号和查询码查询。</translation>
        </message>
        <message>
            <source>That case is not one of this phone number's cases; look it up again.</source>
            <translation>该案件不属于此电话号码，请重新查询。</translation>
        </message>
        <message>
            <source>Request registered</source>
            <translation>已受理</translation>
        </message>
        <message>
            <source>Dispatched to {unit}</source>
            <translation>已派遣至 {unit}</translation>
        </message>
        <message>
            <source>Signed for by {unit}, being handled</source>
            <translation>{unit} 已签收，正在处置</translation>
        </message>
        <message>
            <source>Sent back by {unit}, to be dispatched again</source>
            <translation>{unit} 退回，待重新派遣</translation>
        </message>
        <message>
            <source>Handling result reported</source>
            <translation>已反馈办理结果</translation>
        </message>
        <message>
            <source>Handling result checked and accepted</source>
            <translation>办理结果核查通过</translation>
        </message>
        <message>
            <source>Handling result checked; sent back for more work</source>
            <translation>办理结果核查未通过，退回重新处置</translation>
        </message>
        <message>
            <source>Case completed</source>
            <translation>已办结</translation>
        </message>
        <message>
            <source>Settled on the spot at the desk</source>
            <translation>已当场办结</translation>
        </message>
        <message>
            <source>Visitor's satisfaction recorded</source>
            <translation>已回访评价</translation>
        </message>
        <message>
            <source>Referred up to {unit}</source>
            <translation>已上报至 {unit}</translation>
        </message>
        <message>
            <source>Urged on by the supervisors</source>
            <translation>已督办</translation>
        </message>
        <message>
            <source>Deadline extended to {when}</source>
            <translation>办理时限延长至 {when}</translation>
        </message>
        <message>
            <source>Put on hold</source>
            <translation>暂缓办理</translation>
        </message>
        <message>
            <source>Handling resumed</source>
            <translation>恢复办理</translation>
        </message>
        <message>
            <source>Cancelled as invalid or a duplicate</source>
            <translation>因无效或重复已作废</translation>
        </message>
        <message>
            <source>This computer holds only the cases of {held}, not those of the whole of {name}; the bulletin of {name} comes from the county centre ({command}). Choose {held} or a unit inside it.</source>
            <translation>本机只有{held}的案件，没有{name}全部的案件；{name}的通报由县（区）中心导出（{command}）。请选择{held}或其下属单位。</translation>
        </message>
        <message>
            <source>This computer holds only the cases of {held}, not those of {name}; its bulletin comes from {name}'s own desk or from the county centre ({command}). Choose {held} or a unit inside it.</source>
            <translation>本机只有{held}的案件，没有{name}的案件；其通报由{name}本单位或县（区）中心导出（{command}）。请选择{held}或其下属单位。</translation>
        </message>
        <message>
            <source>This computer holds only the cases dispatched to one department or grid worker, so it holds no street's or community's complete figures; the bulletin comes from the county centre ({command}).</source>
            <translation>本机只有派给某一部门或网格员的案件，没有任何街道、社区的完整数据；通报由县（区）中心导出（{command}）。</translation>
        </message>
        <message>
            <source>The period {period} has not begun yet (it starts on {start}); choose a period that has begun.</source>
            <translation>统计时段 {period} 尚未开始（{start} 开始）；请选择已经开始的时段。</translation>
        </message>
        <message>
            <source>The 通报 template {path} cannot be used ({detail}); correct it in Word, or remove it to use the template that comes with GridDesk.</source>
            <translation>通报模板 {path} 无法使用（{detail}）；请在 Word 中修正，或删除该文件以使用 GridDesk 自带的模板。</translation>
        </message>
        <message>
            <source>LibreOffice is not installed.</source>
            <translation>未安装 LibreOffice。</translation>
        </message>
        <message>
            <source>LibreOffice did not finish the PDF within {seconds} seconds; close other LibreOffice windows and try again.</source>
            <translation>LibreOffice 未能在 {seconds} 秒内生成 PDF；请关闭其他 LibreOffice 窗口后重试。</translation>
        </message>
        <message>
            <source>LibreOffice could not be started: {detail}</source>
            <translation>无法启动 LibreOffice：{detail}</translation>
        </message>
        <message>
            <source>LibreOffice could not make the PDF: {detail}</source>
            <translation>LibreOffice 无法生成 PDF：{detail}</translation>
        </message>
        <message>
            <source>A PDF needs LibreOffice on this computer; install it, or export the workbook and print it to PDF.</source>
            <translation>生成 PDF 需要本机安装 LibreOffice；请安装后重试，或导出工作簿后打印为 PDF。</translation>
        </message>
        <message>
            <source>A {format} bulletin cannot be written again by this version of GridDesk.</source>
            <translation>本版本 GridDesk 无法重新生成 {format} 格式的通报。</translation>
        </message>
        <message>
            <source>This step no longer waits for a file: it was sent or is handled elsewhere.</source>
            <translation>此步骤已不再等待文件：已上报或已在别处处理。</translation>
        </message>
        <message>
            <source>{name} is not the file this step names (its content differs). Pick {wanted}: the photo or document exactly as it was attached.</source>
            <translation>{name} 不是此步骤所附的文件（内容不同）。请选择 {wanted}：即添加时的原照片或文档。</translation>
        </message>
        <message>
            <source>{name} cannot be read; check that it still exists.</source>
            <translation>无法读取 {name}；请检查文件是否仍然存在。</translation>
        </message>
        <message>
            <source>{name} could not be saved in the data folder: {reason}</source>
            <translation>{name} 无法保存到数据文件夹：{reason}</translation>
        </message>
        <message>
            <source>{server} does not speak https: the county server at that address takes plain http. Write http:// instead of https:// (or ask the administrator to set up TLS).</source>
            <translation>{server} 不支持 https：该地址的区县服务器使用普通 http。请把 https:// 改为 http://（或请管理员配置 TLS）。</translation>
        </message>
        <message>
            <source>{server} speaks https only: write https:// instead of http:// in the address.</source>
            <translation>{server} 只支持 https：请把地址中的 http:// 改为 https://。</translation>
        </message>
        <message>
            <source>The certificate of {server} is not trusted by this computer ({detail}). Ask the county's administrator for the right address or to install a trusted certificate.</source>
            <translation>本机不信任 {server} 的证书（{detail}）。请向区县管理员确认正确的地址，或安装受信任的证书。</translation>
        </message>
        <message>
            <source>Nothing answers at {server}: the county server is not running there, or the host or port is wrong.</source>
            <translation>{server} 没有响应：该地址上没有运行区县服务器，或主机、端口有误。</translation>
        </message>
        <message>
            <source>The host name in {server} is not known: check the spelling of the address and the network connection.</source>
            <translation>无法识别 {server} 中的主机名：请检查地址拼写和网络连接。</translation>
        </message>
        <message>
            <source>{server} did not answer in time: check the network connection, or try again later.</source>
            <translation>{server} 未在规定时间内响应：请检查网络连接，或稍后再试。</translation>
        </message>
        <message>
            <source>{server} cannot be reached: {detail}. Check the network and the address.</source>
            <translation>无法连接 {server}：{detail}。请检查网络和地址。</translation>
        </message>
        <message>
            <source>{server} answers too slowly; the round was stopped ({detail}). Try again later.</source>
            <translation>{server} 响应太慢，本轮同步已停止（{detail}）。请稍后再试。</translation>
        </message>
        <message>
            <source>{server} answers, but there is no county sync service at that address (HTTP {status}). Check the part after the host and port: the address is usually just http://HOST:PORT.</source>
            <translation>{server} 有响应，但该地址上没有区县同步服务（HTTP {status}）。请检查主机和端口之后的部分：地址通常只需 http://主机:端口。</translation>
        </message>
        <message>
            <source>The server at {server} does not speak the county sync protocol ({detail}). Is it the county server's address?</source>
            <translation>{server} 上的服务器不使用区县同步协议（{detail}）。这是区县服务器的地址吗？</translation>
        </message>
        <message>
            <source>The county server at {server} has a fault (HTTP {status}); tell its administrator. Details: {detail}</source>
            <translation>区县服务器 {server} 出现故障（HTTP {status}），请告知其管理员。详情：{detail}</translation>
        </message>
        <message>
            <source>The county server {server} refused the login: the user name or the password is wrong.</source>
            <translation>区县服务器 {server} 拒绝登录：用户名或密码错误。</translation>
        </message>
        <message>
            <source>The county server {server} refused the login after too many wrong passwords; wait a while and try again.</source>
            <translation>密码错误次数过多，区县服务器 {server} 拒绝登录；请稍候再试。</translation>
        </message>
        <message>
            <source>The county server {server} refused the login ({detail}).</source>
            <translation>区县服务器 {server} 拒绝登录（{detail}）。</translation>
        </message>
        <message>
            <source>No county server address is set.</source>
            <translation>尚未设置区县服务器地址。</translation>
        </message>
        <message>
            <source>Sync with {server} failed: {detail}</source>
            <translation>与 {server} 同步失败：{detail}</translation>
        </message>
    </context>
</TS>
