<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ApprovalsPage</name>
    <message>
        <location filename="../../console/gui/pages/approvals.py" line="+60"/>
        <source>Approvals</source>
        <translation>审批</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Decide what other officers asked for. You cannot decide your own requests or registrations: another supervisor must (four-eyes rule).</source>
        <translation>审批其他工作人员提交的事项。您不能审批自己提交的申请或登记：必须由另一位主管审批（双人复核原则）。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Requests</source>
        <translation>申请</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Possible duplicates</source>
        <translation>疑似重复</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+178"/>
        <source>No.</source>
        <translation>编号</translation>
    </message>
    <message>
        <location line="-177"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Holder</source>
        <translation>持证人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ID number</source>
        <translation>身份号码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Card</source>
        <translation>证件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Requested by</source>
        <translation>申请人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Requested</source>
        <translation>申请时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Pending requests</source>
        <translation>待审批的申请</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No request waits for a decision.</source>
        <translation>没有待审批的申请。</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+27"/>
        <location line="+283"/>
        <source>Select a request to decide it.</source>
        <translation>请选择一项申请进行审批。</translation>
    </message>
    <message>
        <location line="-306"/>
        <source>Decision note</source>
        <translation>审批意见</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note (required to reject; e.g. which document you checked)</source>
        <translation>意见（驳回时必填；例如您核查了哪份证明文件）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Approve</source>
        <translation>批准</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reject</source>
        <translation>驳回</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>You made this request; another supervisor must decide it.</source>
        <translation>这是您本人提交的申请，必须由另一位主管审批。</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Revoke this card for good?</source>
        <translation>永久吊销此证件？</translation>
    </message>
    <message>
        <location line="+28"/>
        <location line="+140"/>
        <source>Write a note</source>
        <translation>请填写意见</translation>
    </message>
    <message>
        <location line="-139"/>
        <source>Say why the request is rejected; the requester will read it.</source>
        <translation>请说明驳回理由，申请人会看到。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Request {number} approved</source>
        <translation>申请 {number} 已批准</translation>
    </message>
    <message>
        <location line="-106"/>
        <source>Request {number}: {action} card {card} of {name}, asked by {officer} on {time}.</source>
        <translation>申请 {number}：{action} {name} 的证件 {card}，由 {officer} 于 {time} 提出。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Reason: {reason}</source>
        <translation>理由：{reason}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Loading the holder…</source>
        <translation>正在读取持证人…</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>ID number {number}, card {card}</source>
        <translation>身份号码 {number}，证件 {card}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{name} ({latin}), ID number {number}, card {card}</source>
        <translation>{name}（{latin}），身份号码 {number}，证件 {card}</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Approving request {number} revokes the card of {holder} permanently: it will be reported as revoked whenever it is verified and cannot be reinstated; the holder needs a new card.</source>
        <translation>批准申请 {number} 将永久吊销 {holder} 的证件：此后每次核验都会显示已吊销，且无法恢复；持证人需要办理新证件。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Suspend this card?</source>
        <translation>暂停此证件？</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Approving request {number} suspends the card of {holder}: it will be reported as suspended until a supervisor reinstates it.</source>
        <translation>批准申请 {number} 将暂停 {holder} 的证件：在主管恢复之前，核验时都会显示已暂停。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Reinstate this card?</source>
        <translation>恢复此证件？</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Approving request {number} reinstates the card of {holder}: it will be reported as valid again.</source>
        <translation>批准申请 {number} 将恢复 {holder} 的证件：核验时将再次显示有效。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Reject this request?</source>
        <translation>驳回此申请？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rejecting request {number} leaves the card of {holder} as it is.</source>
        <translation>驳回申请 {number} 后，{holder} 的证件保持不变。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>The card is now {status}.</source>
        <translation>证件现在为{status}。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Request {number} rejected</source>
        <translation>申请 {number} 已驳回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing changed; the requester can read your note.</source>
        <translation>证件状态未变；申请人可以看到您的意见。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Not allowed</source>
        <translation>不允许此操作</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Family name</source>
        <translation>姓</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Given name</source>
        <translation>名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Birth date</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Entered by</source>
        <translation>录入人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Entered</source>
        <translation>录入时间</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Registrations held for review</source>
        <translation>待复核的登记</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No registration waits for review.</source>
        <translation>没有待复核的登记。</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+29"/>
        <location line="+114"/>
        <source>Select a held registration to compare it with the existing records.</source>
        <translation>请选择一条待复核的登记，与已有记录比对。</translation>
    </message>
    <message>
        <location line="-138"/>
        <source>Review note</source>
        <translation>复核意见</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note (required to reject: which record it duplicates)</source>
        <translation>意见（驳回时必填：与哪条记录重复）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note</source>
        <translation>意见</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Not a duplicate: register</source>
        <translation>不重复：予以登记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Duplicate: reject</source>
        <translation>重复：驳回</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Held: {family} {given} ({latin}), {sex}, born {birth} in {place}.</source>
        <translation>待复核：{family}{given}（{latin}），{sex}，{birth} 出生于 {place}。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Looks like:</source>
        <translation>疑似与以下记录重复：</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Register as a new person?</source>
        <translation>作为新人登记？</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name} ({latin}), born {birth}, gets a new ID number: you confirm this is not a person already registered.</source>
        <translation>{name}（{latin}），出生于 {birth}，将获得新的身份号码：您确认此人尚未登记。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Say which record the registration duplicates.</source>
        <translation>请说明此登记与哪条记录重复。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Reject as a duplicate?</source>
        <translation>作为重复登记驳回？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The registration of {name} ({latin}), born {birth}, is closed without a new ID number.</source>
        <translation>{name}（{latin}，出生于 {birth}）的登记将被关闭，不分配新的身份号码。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Registered</source>
        <translation>已登记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Review {number} accepted: ID number {id_number}.</source>
        <translation>复核 {number} 已通过：身份号码 {id_number}。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Rejected as a duplicate</source>
        <translation>已作为重复登记驳回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Review {number} is closed.</source>
        <translation>复核 {number} 已结案。</translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <location filename="../../console/gui/pages/audit.py" line="+118"/>
        <location line="+52"/>
        <source>Audit trail</source>
        <translation>审计记录</translation>
    </message>
    <message>
        <location line="-50"/>
        <source>Everything officers did here, logins and refusals included, newest first. Each change is a signed entry of the office&apos;s log; its signature is checked as it is shown.</source>
        <translation>工作人员在此所做的一切（包括登录和被拒绝的操作），最新的在前。每项变更都是办事处日志中的一条签名记录；显示时会核验其签名。</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+30"/>
        <source>Officer</source>
        <translation>工作人员</translation>
    </message>
    <message>
        <location line="-29"/>
        <source>All officers</source>
        <translation>全部工作人员</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+28"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location line="-27"/>
        <source>All actions</source>
        <translation>全部操作</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+26"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location line="-25"/>
        <source>Any outcome</source>
        <translation>任意结果</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+8"/>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>To</source>
        <translation>到</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Search the trail</source>
        <translation>搜索审计记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search: username, ID number, words…</source>
        <translation>搜索：用户名、身份号码、关键词…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Signature</source>
        <translation>签名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log entry (of)</source>
        <translation>日志条目（共）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <location line="+22"/>
        <location line="+1"/>
        <source>Show older entries</source>
        <translation>显示更早的记录</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>any day</source>
        <translation>任意日期</translation>
    </message>
    <message numerus="yes">
        <location line="+76"/>
        <source>%n entry(ies) shown.</source>
        <translation>
            <numerusform>显示 %n 条记录。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Older entries are not loaded yet.</source>
        <translation>更早的记录尚未载入。</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n signature(s) do not verify: these entries were altered.</source>
        <translation>
            <numerusform>%n 个签名核验失败：这些记录已被篡改。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Altered entries</source>
        <translation>记录被篡改</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Not a change (a login or a refusal): recorded in the trail, not signed into the log.</source>
        <translation>不是变更（登录或拒绝）：记入审计记录，但不签入日志。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Entry {position} of {size} in this office&apos;s log; {signature}.</source>
        <translation>本办事处日志共 {size} 条中的第 {position} 条；{signature}。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{time} · {officer} · {action} · {outcome}
{detail}
{where}</source>
        <translation>{time} · {officer} · {action} · {outcome}
{detail}
{where}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(unknown user)</source>
        <translation>（未知用户）</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Export the audit trail</source>
        <translation>导出审计记录</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Encrypted CSV files (*.csv.age)</source>
        <translation>加密的 CSV 文件 (*.csv.age)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Passphrase for the export</source>
        <translation>导出文件的口令</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The export holds personal data and is encrypted. Choose a passphrase and give it to the reader by another way than the file; they open it with `id-console export open` or `age -d`.</source>
        <translation>导出文件含有个人数据，因此会加密。请设定一个口令，并通过与文件不同的途径交给读取者；对方用 `id-console export open` 或 `age -d` 打开。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Audit trail exported</source>
        <translation>审计记录已导出</translation>
    </message>
    <message numerus="yes">
        <location line="+0"/>
        <source>%n entry(ies) written to</source>
        <translation>
            <numerusform>已写入 %n 条记录到</numerusform>
        </translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot search</source>
        <translation>无法搜索</translation>
    </message>
</context>
<context>
    <name>CalibrationPreview</name>
    <message>
        <location filename="../../console/gui/pages/printing.py" line="+396"/>
        <source>grey: the card stock · outline: where the test card prints</source>
        <translation>灰色：卡片 · 轮廓：测试卡的打印位置</translation>
    </message>
</context>
<context>
    <name>CameraPhotoDialog</name>
    <message>
        <location filename="../../console/gui/camera.py" line="+288"/>
        <source>Take a photo</source>
        <translation>拍摄照片</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The person looks into the camera, face and shoulders in the picture, in even light. The photo is cropped to a portrait around the face&apos;s usual place.</source>
        <translation>请本人看向摄像头，脸部和肩部都在画面内，光线均匀。照片会按脸部的通常位置裁成竖幅人像。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Take photo</source>
        <translation>拍照</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>No camera is connected to this computer.</source>
        <translation>这台电脑没有连接摄像头。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No picture from the camera yet; wait a moment and try again.</source>
        <translation>摄像头还没有画面；请稍候再试。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The camera&apos;s picture could not be read; try again.</source>
        <translation>无法读取摄像头的画面；请再试一次。</translation>
    </message>
</context>
<context>
    <name>CameraView</name>
    <message>
        <location line="-112"/>
        <source>Camera picture</source>
        <translation>摄像头画面</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>The camera stopped: {reason}. Check its cable, or close other programs using it.</source>
        <translation>摄像头已停止：{reason}。请检查连接线，或关闭正在使用它的其他程序。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no reason given</source>
        <translation>未说明原因</translation>
    </message>
</context>
<context>
    <name>CardPrint</name>
    <message>
        <location filename="../../console/gui/cardprint.py" line="+116"/>
        <source>Card printing is not available in this build of the console (the card service is missing).</source>
        <extracomment>Pixels rendered, copied and drawn per GIL-holding call (see `_page_bands`): 256 KB of RGB32, whose drawImage onto a PDF printer takes ~6 ms here.</extracomment>
        <translation>此版本的控制台无法打印卡片（缺少制卡服务）。</translation>
    </message>
    <message>
        <location line="+209"/>
        <location line="+188"/>
        <source>The printer could not be started; check that it is connected and switched on.</source>
        <translation>无法启动打印机；请检查打印机是否已连接并开机。</translation>
    </message>
    <message>
        <location line="-176"/>
        <source>The printer refused page {number}; check it and print again.</source>
        <translation>打印机拒绝了第 {number} 页；请检查打印机后重新打印。</translation>
    </message>
</context>
<context>
    <name>CardsPage</name>
    <message>
        <location filename="../../console/gui/pages/cards.py" line="+63"/>
        <source>Issue and print cards</source>
        <translation>签发与打印证件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Issuing signs a new credential; an earlier card of the same person stops being valid. Print on a card printer (ID-1) or on an A4 sheet of ten.</source>
        <translation>签发会签署一份新凭证，同一人此前的证件随即失效。可用证卡打印机（ID-1）打印，或在 A4 纸上每页打印十张。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>ID number</source>
        <translation>身份号码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ID number of a registered person</source>
        <translation>已登记人员的身份号码</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Look up</source>
        <translation>查找</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;ID number</source>
        <translation>身份号码(&amp;I)</translation>
    </message>
    <message>
        <location line="+29"/>
        <source> years</source>
        <translation> 年</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Validity in years</source>
        <translation>有效期（年）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Valid for</source>
        <translation>有效期(&amp;V)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Issue credential</source>
        <translation>签发凭证</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign a new credential for this person (Ctrl+I)</source>
        <translation>为此人签署新凭证（Ctrl+I）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Sheet</source>
        <translation>纸张</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Card printer (ID-1 card)</source>
        <translation>证卡打印机（ID-1 卡）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A4 sheet of ten cards</source>
        <translation>A4 纸（每页十张）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Also print the back (MRZ)</source>
        <translation>同时打印背面（机读区）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Sheet</source>
        <translation>纸张(&amp;S)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print the card (Ctrl+P)</source>
        <translation>打印证件（Ctrl+P）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save PDF…</source>
        <translation>保存 PDF…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save the card as a PDF file (Ctrl+S)</source>
        <translation>将证件保存为 PDF 文件（Ctrl+S）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Card preview</source>
        <translation>证件预览</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Check the ID number</source>
        <translation>请核对身份号码</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Look up a person by ID number to issue or print their card.</source>
        <translation>请按身份号码查找人员，以签发或打印其证件。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{latin} · ID number {number} · born {birth}</source>
        <translation>{latin} · 身份号码 {number} · 出生于 {birth}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>No credential issued yet.</source>
        <translation>尚未签发凭证。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Issue a credential first; its card appears here.</source>
        <translation>请先签发凭证，证件预览将显示在这里。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Newest credential: {status}, issued {issued}, expires {expires}.</source>
        <translation>最新凭证：{status}，签发于 {issued}，有效期至 {expires}。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The newest credential is {status}: issue a new one to print a card.</source>
        <translation>最新凭证的状态为“{status}”：请签发新凭证后再打印证件。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Issue a new credential?</source>
        <translation>签发新凭证？</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name} already has a credential in force. A new one replaces it: the old card will be reported as replaced when verified. Issue a new credential?</source>
        <translation>{name} 已有一份有效凭证。新凭证将取代它：核验旧证件时会显示“已被新证件取代”。确定签发新凭证吗？</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Credential {cid} is valid until {expires}.</source>
        <translation>凭证 {cid} 有效期至 {expires}。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The earlier card is no longer valid.</source>
        <translation>此前的证件已失效。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Credential issued</source>
        <translation>凭证已签发</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Card printing is not available in this build of the console.</source>
        <translation>此版本的控制台不支持证件打印。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Rendering the card…</source>
        <translation>正在生成证件…</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>The card could not be rendered.</source>
        <translation>无法生成证件。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Sent to the printer</source>
        <translation>已发送到打印机</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>The printer&apos;s paper is {width:.0f} × {height:.0f} mm, neither an ID-1 card nor A4. The cards print at their true size (85.6 × 54 mm each), centred on the paper, not enlarged to fill it.</source>
        <translation>打印机的纸张为 {width:.0f} × {height:.0f} 毫米，既不是 ID-1 卡片也不是 A4。卡片将按实际尺寸（每张 85.6 × 54 毫米）居中打印，不会放大铺满纸张。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The printer&apos;s paper is {width:.0f} × {height:.0f} mm.</source>
        <translation>打印机的纸张为 {width:.0f} × {height:.0f} 毫米。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The sheet is larger than this paper: its edges will be cut off. Choose A4 paper to print all.</source>
        <translation>版面大于这张纸：边缘将被裁掉。请选择 A4 纸以完整打印。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Print on this paper?</source>
        <translation>在这种纸上打印？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print anyway?</source>
        <translation>仍要打印吗？</translation>
    </message>
    <message>
        <location line="-68"/>
        <source>Save the card as PDF</source>
        <translation>将证件保存为 PDF</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Card saved</source>
        <translation>证件已保存</translation>
    </message>
</context>
<context>
    <name>CitizenTableModel</name>
    <message>
        <location filename="../../console/gui/models.py" line="+59"/>
        <source>ID number</source>
        <translation>身份号码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Latin form</source>
        <translation>拉丁字母拼写</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Birth date</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Birthplace</source>
        <translation>出生地</translation>
    </message>
</context>
<context>
    <name>CitizensPage</name>
    <message>
        <location filename="../../console/gui/pages/citizens.py" line="+54"/>
        <location line="+23"/>
        <source>Citizens</source>
        <translation>公民</translation>
    </message>
    <message>
        <location line="-22"/>
        <source>Search by ID number, birth date (YYYY-MM-DD) or the start of a name, in any script.</source>
        <translation>可按身份号码、出生日期（YYYY-MM-DD）或姓名开头搜索，支持任何文字。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Search citizens</source>
        <translation>搜索公民</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ID number, birth date or name… (Ctrl+F)</source>
        <translation>身份号码、出生日期或姓名…（Ctrl+F）</translation>
    </message>
    <message>
        <location line="+77"/>
        <source>No match</source>
        <translation>无匹配结果</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The first {limit} matches; type more to narrow the search</source>
        <translation>仅显示前 {limit} 条结果；请输入更多内容以缩小范围</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{count} found</source>
        <translation>找到 {count} 条</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>{count} citizens, newest first</source>
        <translation>共 {count} 位公民，最新登记的在前</translation>
    </message>
</context>
<context>
    <name>ConsoleWindow</name>
    <message>
        <location filename="../../console/gui/window.py" line="+441"/>
        <source>ID Console</source>
        <translation>身份证件管理台</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Preparing the demo office…</source>
        <translation>正在准备演示办公室…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Creating a sample authority, officers and a few hundred citizens. This takes a few seconds.</source>
        <translation>正在创建示例机构、工作人员和数百位公民，需要几秒钟。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Opening the office…</source>
        <translation>正在打开办公室…</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>ID Console — {office}</source>
        <translation>身份证件管理台 — {office}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> (demo)</source>
        <translation>（演示）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>No office to open</source>
        <translation>没有可打开的办公室</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>To try the console with sample data, start it with: id-console gui --demo</source>
        <translation>如需用示例数据试用本控制台，请运行：id-console gui --demo</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The office could not be opened</source>
        <translation>无法打开办公室</translation>
    </message>
    <message numerus="yes">
        <location line="+48"/>
        <source>Locked after %n minute(s) without activity; log in again.</source>
        <translation>
            <numerusform>%n 分钟无操作，已自动锁定；请重新登录。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Working…</source>
        <translation>正在处理…</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <location filename="../../console/gui/pages/dashboard.py" line="+65"/>
        <source>Dashboard</source>
        <translation>概览</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{office}: today&apos;s work and what is waiting.</source>
        <translation>{office}：今日工作和待办事项。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>registered today</source>
        <translation>今日登记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>credentials issued today</source>
        <translation>今日签发凭证</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>requests waiting for a supervisor</source>
        <translation>等待主管决定的申请</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>registrations held as possible duplicates</source>
        <translation>疑似重复而暂缓的登记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>citizens in the registry</source>
        <translation>登记簿中的公民</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cards in force</source>
        <translation>有效证件</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Decide →</source>
        <translation>去决定 →</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Approvals</source>
        <translation>打开审批</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Registrations and credentials issued per day, last 30 days</source>
        <translation>最近 30 天每日登记和签发凭证数</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Registered</source>
        <translation>登记</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Credentials issued</source>
        <translation>签发凭证</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{first} to {last}</source>
        <translation>{first} 至 {last}</translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <location filename="../../console/gui/dialogs.py" line="+40"/>
        <source>Internal error</source>
        <translation>内部错误</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>The office database is damaged or unreadable ({error}); nothing was changed. Restore it from backup or ask your administrator.</source>
        <translation>办公室数据库已损坏或无法读取（{error}）；未做任何更改。请从备份恢复，或联系您的管理员。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Cannot do this</source>
        <translation>无法执行此操作</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Something went wrong inside the console. This is a bug, not something you did. Your last action may not have been saved; check it, and report the details below to your administrator.</source>
        <translation>控制台内部出错。这是程序缺陷，并非您的操作有误。您最后一步操作可能未保存，请检查，并将下面的详细信息报告给管理员。</translation>
    </message>
</context>
<context>
    <name>HolderPanel</name>
    <message>
        <location filename="../../console/gui/holder.py" line="+32"/>
        <source>Holder&apos;s photo</source>
        <translation>持证人照片</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>ID number {number} · card {card} ({status}) · born {birth}</source>
        <translation>身份号码 {number} · 证件 {card}（{status}）· 出生于 {birth}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>ID number {number} · no card issued · born {birth}</source>
        <translation>身份号码 {number} · 尚未发证 · 出生于 {birth}</translation>
    </message>
</context>
<context>
    <name>ImportPage</name>
    <message>
        <location filename="../../console/gui/pages/importer.py" line="+98"/>
        <source>{path} is not UTF-8 text; save it from the spreadsheet as CSV UTF-8.</source>
        <translation>{path} 不是 UTF-8 文本；请在电子表格中另存为 CSV UTF-8。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{path} lacks the column(s) {missing}; the first line must name {columns}.</source>
        <translation>{path} 缺少列 {missing}；第一行必须列出 {columns}。</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>Import citizens</source>
        <translation>导入公民</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Register many people from a CSV file (UTF-8, first line: {columns}). The file is checked first; nothing is registered until you import.</source>
        <translation>从 CSV 文件批量登记（UTF-8，第一行：{columns}）。文件会先被检查；在您点击导入之前不会登记任何人。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Choose a CSV file…</source>
        <translation>选择 CSV 文件…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No file chosen.</source>
        <translation>尚未选择文件。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Line</source>
        <translation>行</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Why it is refused</source>
        <translation>拒绝原因</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Refused rows</source>
        <translation>被拒绝的行</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Import progress</source>
        <translation>导入进度</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Save the report…</source>
        <translation>保存报告…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Choose the CSV file to import</source>
        <translation>选择要导入的 CSV 文件</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+96"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location line="-86"/>
        <source>Checking every row…</source>
        <translation>正在检查每一行…</translation>
    </message>
    <message numerus="yes">
        <location line="+15"/>
        <source>%n row(s) in the file</source>
        <translation>
            <numerusform>文件中有 %n 行</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n can be imported</source>
        <translation>
            <numerusform>%n 行可导入</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n refused (listed below).</source>
        <translation>
            <numerusform>%n 行被拒绝（见下表）。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Some rows are refused</source>
        <translation>部分行被拒绝</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Correct them in the file and choose it again, or import the others now.</source>
        <translation>请在文件中更正后重新选择，或现在导入其余各行。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Importing…</source>
        <translation>正在导入…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Import finished</source>
        <translation>导入完成</translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>%n registered</source>
        <translation>
            <numerusform>已登记 %n 人</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n held as possible duplicates for a supervisor</source>
        <translation>
            <numerusform>%n 人疑似重复，等待主管审核</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n refused.</source>
        <translation>
            <numerusform>%n 行被拒绝。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>First new ID number: {number}.</source>
        <translation>第一个新身份号码：{number}。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Nothing more was imported.</source>
        <translation>没有再导入任何内容。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot import this file</source>
        <translation>无法导入此文件</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Save the import report</source>
        <translation>保存导入报告</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Report saved</source>
        <translation>报告已保存</translation>
    </message>
</context>
<context>
    <name>KeysPage</name>
    <message>
        <location filename="../../console/gui/pages/keys.py" line="+47"/>
        <location line="+23"/>
        <source>Office keys</source>
        <translation>办事处密钥</translation>
    </message>
    <message>
        <location line="-21"/>
        <source>The office key signs every credential this office issues. Replace it when it may have been exposed (a lost backup, a stolen computer) or on a schedule.</source>
        <translation>办事处密钥为本办事处签发的每份凭证签名。当密钥可能泄露（备份丢失、电脑被盗）或按计划时，请更换密钥。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In use from</source>
        <translation>启用时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Until</source>
        <translation>截止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Credentials signed</source>
        <translation>已签凭证</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>in use</source>
        <translation>使用中</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Replace the office key…</source>
        <translation>更换办事处密钥…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>What happens when the key is replaced: credentials issued from now on are signed with the new key. Cards already issued stay valid until they expire (or are revoked): verifiers keep trusting the old key for what it signed while it was in use, so nobody needs a new card. The old key signs nothing more. Publish the trust list again so that offline verifiers learn the new key.</source>
        <translation>更换密钥后会怎样：此后签发的凭证使用新密钥签名。已签发的证件在到期（或被吊销）之前仍然有效：核验方继续信任旧密钥在使用期间所签的内容，因此无人需要换发新证。旧密钥不再签署任何内容。请重新发布信任列表，使离线核验方获知新密钥。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Replace the office key?</source>
        <translation>更换办事处密钥？</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>The current key has signed %n credential(s); they stay valid until they expire. New credentials will be signed with a new key. Replace the key now?</source>
        <translation>
            <numerusform>当前密钥已签发 %n 份凭证；它们在到期前仍然有效。新凭证将使用新密钥签名。现在更换密钥吗？</numerusform>
        </translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Office key replaced</source>
        <translation>办事处密钥已更换</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New key {kid} in use from {time}. Cards already issued stay valid.</source>
        <translation>新密钥 {kid} 自 {time} 起启用。已签发的证件仍然有效。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Not replaced</source>
        <translation>未更换</translation>
    </message>
</context>
<context>
    <name>LedgerPage</name>
    <message>
        <location filename="../../console/gui/pages/ledger.py" line="+168"/>
        <source>Shared ledger</source>
        <extracomment>How often the console syncs while open (ID_CONSOLE_SYNC_SECONDS overrides it, e.g. for a demonstration).</extracomment>
        <translation>共享账本</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Every office publishes its signed log to the shared folder and checks everyone else&apos;s. The console syncs on its own every few minutes while it is open.</source>
        <translation>每个办事处把自己签名的日志发布到共享文件夹，并核对其他办事处的日志。控制台打开期间每隔几分钟自动同步一次。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Office</source>
        <translation>办事处</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Entries</source>
        <translation>条目数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Last accepted</source>
        <translation>最近接受</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Logs of other offices</source>
        <translation>其他办事处的日志</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Evidence of the selected log (anyone can check it with the office&apos;s key):</source>
        <translation>所选日志的证据（任何人都可以用该办事处的密钥核对）：</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Evidence</source>
        <translation>证据</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Peer node port</source>
        <translation>对等节点端口</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Peer node on 127.0.0.1, port</source>
        <translation>对等节点（127.0.0.1），端口</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Running at {url}</source>
        <translation>正在运行：{url}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Run the peer node</source>
        <translation>运行对等节点</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Stop the peer node</source>
        <translation>停止对等节点</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The peer node stopped</source>
        <translation>对等节点已停止</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>in step</source>
        <translation>一致</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FORKED: no longer applied</source>
        <translation>分叉：不再应用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>refused</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+35"/>
        <source>Not synced</source>
        <translation>未同步</translation>
    </message>
    <message>
        <location line="-35"/>
        <source>The session has ended; log in again.</source>
        <translation>会话已结束，请重新登录。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Publishing this office&apos;s log, then checking the others.</source>
        <translation>正在发布本办事处的日志，然后核对其他日志。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>log {log}, file {file}: {message}</source>
        <translation>日志 {log}，文件 {file}：{message}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Synced, with alarms</source>
        <translation>已同步，但有警报</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing was applied from these logs:</source>
        <translation>以下日志的内容均未应用：</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Synced</source>
        <translation>已同步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{published} new entries published, {applied} applied from other offices.</source>
        <translation>已发布 {published} 条新条目，已应用其他办事处的 {applied} 条。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Shared folder: {folder}.</source>
        <translation>共享文件夹：{folder}。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Peer node: {url}.</source>
        <translation>对等节点：{url}。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No shared folder or peer node yet: an administrator sets one in Settings.</source>
        <translation>尚未配置共享文件夹或对等节点：由管理员在“设置”中配置。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{place} This office ({office}): {size} entries, {published} published; last sync: {last}.</source>
        <translation>{place}本办事处（{office}）：{size} 条目，已发布 {published} 条；最近同步：{last}。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Ledger alarm</source>
        <translation>账本警报</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>These logs are not applied: {logs}. Select one to see the evidence.</source>
        <translation>以下日志未被应用：{logs}。选择一项查看证据。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>file {file}: {message}</source>
        <translation>文件 {file}：{message}</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <location filename="../../console/gui/login.py" line="+102"/>
        <source>ID Console</source>
        <translation>身份证件管理台</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+61"/>
        <source>Username</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location line="-60"/>
        <source>e.g. clerk</source>
        <translation>例如 clerk</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+57"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location line="-54"/>
        <source>&amp;Username</source>
        <translation>用户名(&amp;U)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Password</source>
        <translation>密码(&amp;P)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Login message</source>
        <translation>登录提示</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+151"/>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location line="-146"/>
        <source>Verify a card without logging in</source>
        <translation>无需登录，核验证件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check a card&apos;s QR code: scanner, picture or PDF</source>
        <translation>核验证件上的二维码：扫码枪、图片或 PDF</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>{office} ({code})</source>
        <translation>{office}（{code}）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Demo office</source>
        <translation>演示办公室</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Sample data only. Click an officer to fill in the form. Each role sees different screens; a supervisor cannot approve their own requests.</source>
        <translation>仅为示例数据。点击一位工作人员即可填入登录信息。不同角色看到的界面不同；主管不能审批自己提交的申请。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Demo officers</source>
        <translation>演示工作人员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>A username has at most {count} characters.</source>
        <translation>用户名最多 {count} 个字符。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Enter your username and password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Unlocking your keys…</source>
        <translation>正在解锁您的密钥…</translation>
    </message>
</context>
<context>
    <name>Names</name>
    <message>
        <location filename="../../console/gui/texts.py" line="+12"/>
        <source>clerk</source>
        <translation>办事员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>supervisor</source>
        <translation>主管</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>auditor</source>
        <translation>审计员</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>female</source>
        <translation>女</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>male</source>
        <translation>男</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unspecified</source>
        <translation>未指明</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+60"/>
        <source>active</source>
        <translation>有效</translation>
    </message>
    <message>
        <location line="-59"/>
        <source>revoked</source>
        <translation>已吊销</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>suspended</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>superseded</source>
        <translation>已被取代</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>pending</source>
        <translation>待审批</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>awaiting review</source>
        <translation>待复核</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>accepted</source>
        <translation>已通过</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>revoke</source>
        <translation>吊销</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>suspend</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>reinstate</source>
        <translation>恢复</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>refused</source>
        <translation>被拒绝</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>signature valid</source>
        <translation>签名有效</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SIGNATURE INVALID</source>
        <translation>签名无效</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>signer&apos;s key unknown</source>
        <translation>签名者密钥未知</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not an event</source>
        <translation>非事件</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>authority created</source>
        <translation>创建机构</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>office certified</source>
        <translation>认证办事处</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>office key replaced</source>
        <translation>更换办事处密钥</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>officer added</source>
        <translation>添加工作人员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>officer disabled</source>
        <translation>停用工作人员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>officer&apos;s password reset</source>
        <translation>重置工作人员密码</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+16"/>
        <source>officer unlocked</source>
        <translation>解锁工作人员</translation>
    </message>
    <message>
        <location line="-15"/>
        <source>own password changed</source>
        <translation>修改本人密码</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+15"/>
        <source>setting changed</source>
        <translation>修改设置</translation>
    </message>
    <message>
        <location line="-14"/>
        <source>citizen registered</source>
        <translation>登记公民</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>citizens imported</source>
        <translation>导入公民</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>registration held for review</source>
        <translation>登记暂缓待审</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>held registration rejected</source>
        <translation>驳回暂缓登记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>credential issued</source>
        <translation>签发凭证</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>credentials issued</source>
        <translation>批量签发凭证</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>card status changed</source>
        <translation>证件状态变更</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>request made</source>
        <translation>提出申请</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>request rejected</source>
        <translation>驳回申请</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cards printed</source>
        <translation>打印证件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>printer calibrated</source>
        <translation>校准打印机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>audit trail exported</source>
        <translation>导出审计记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>office enrolled</source>
        <translation>办事处已登记</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>office keys shared with officers</source>
        <translation>已向工作人员提供办事处密钥</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>key backup made</source>
        <translation>已备份密钥</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>registry encrypted</source>
        <translation>登记库已加密</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>backup from before the encryption deleted</source>
        <translation>已删除加密前的备份</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>other issuers&apos; keys imported</source>
        <translation>已导入其他签发机构的密钥</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>shared ledger folder chosen</source>
        <translation>已选择共享账本文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>account locked</source>
        <translation>账户已锁定</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>account unlocked</source>
        <translation>账户已解锁</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>choose the shared ledger folder</source>
        <translation>选择共享账本文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>synchronise the ledger</source>
        <translation>同步账本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>verify the ledger</source>
        <translation>核查账本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>register citizens</source>
        <translation>登记公民</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>read the registry</source>
        <translation>查阅登记簿</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>issue credentials</source>
        <translation>签发凭证</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>make requests</source>
        <translation>提出申请</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>read requests</source>
        <translation>查阅申请</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>decide requests</source>
        <translation>决定申请</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>decide held registrations</source>
        <translation>审核暂缓登记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>manage officers</source>
        <translation>管理工作人员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>read officers</source>
        <translation>查阅工作人员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>manage keys</source>
        <translation>管理密钥</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>read the audit trail</source>
        <translation>查阅审计记录</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Family name</source>
        <translation>姓</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Given name</source>
        <translation>名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Birth date</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Birthplace</source>
        <translation>出生地</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Photo</source>
        <translation>照片</translation>
    </message>
</context>
<context>
    <name>OfficersPage</name>
    <message>
        <location filename="../../console/gui/pages/officers.py" line="+56"/>
        <location line="+28"/>
        <source>Officers</source>
        <translation>工作人员</translation>
    </message>
    <message>
        <location line="-26"/>
        <source>Who works in this office and in which role. Disabling an officer ends their access and their signing key at once; their past work stays signed and in the audit trail.</source>
        <translation>谁在本办事处工作、担任何种角色。停用工作人员会立即终止其访问权限和签名密钥；其以往的工作仍保留签名并留在审计记录中。</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+57"/>
        <source>Username</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location line="-56"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+61"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location line="-60"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Locked until</source>
        <translation>锁定至</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last login</source>
        <translation>上次登录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Added</source>
        <translation>添加时间</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+126"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location line="-110"/>
        <source>Selected officer</source>
        <translation>所选工作人员</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+97"/>
        <source>Select an officer to disable, unlock or give a new password.</source>
        <translation>选择一名工作人员以停用、解锁或设置新密码。</translation>
    </message>
    <message>
        <location line="-94"/>
        <source>Disable…</source>
        <translation>停用…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lift the lock after too many wrong passwords</source>
        <translation>解除因多次密码错误造成的锁定</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>New password for the selected officer</source>
        <translation>所选工作人员的新密码</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>New password (at least {count} characters)</source>
        <translation>新密码（至少 {count} 个字符）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reset password</source>
        <translation>重置密码</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>New officer</source>
        <translation>新工作人员</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Full name</source>
        <translation>全名</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>First password</source>
        <translation>初始密码</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>At least {count} characters; tell it to the officer in person</source>
        <translation>至少 {count} 个字符；请当面告知该工作人员</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add officer</source>
        <translation>添加工作人员</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Username</source>
        <translation>用户名(&amp;U)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Full name</source>
        <translation>全名(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Role</source>
        <translation>角色(&amp;R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>First &amp;password</source>
        <translation>初始密码(&amp;P)</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>locked until {time}</source>
        <translation>锁定至 {time}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name} ({username}), {role}: {state}; last login {login}.</source>
        <translation>{name}（{username}），{role}：{state}；上次登录 {login}。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Officer added</source>
        <translation>已添加工作人员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{name} can now log in as {username} ({role}).</source>
        <translation>{name} 现在可以用 {username}（{role}）登录。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Disable this officer?</source>
        <translation>停用此工作人员？</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name} ({username}) will no longer be able to log in, and their signing key ends now. What they signed before stays valid. This cannot be undone; enrol them again if they come back.</source>
        <translation>{name}（{username}）将无法再登录，其签名密钥即刻失效。此前所签内容仍然有效。此操作无法撤销；如其返回，请重新添加。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Officer disabled</source>
        <translation>已停用工作人员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Officer unlocked</source>
        <translation>已解锁工作人员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password reset</source>
        <translation>密码已重置</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{username} can no longer log in.</source>
        <translation>{username} 无法再登录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{username} can log in again with their password.</source>
        <translation>{username} 可以再次用其密码登录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{username} logs in with the new password from now on; tell it to them in person.</source>
        <translation>{username} 此后使用新密码登录；请当面告知。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Not done</source>
        <translation>未完成</translation>
    </message>
</context>
<context>
    <name>OfficesPage</name>
    <message>
        <location filename="../../console/gui/pages/ledger.py" line="+36"/>
        <location line="+20"/>
        <source>Offices</source>
        <translation>办事处</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>The offices of the authority. Each hands out ID numbers from its own slot, so two offices never give the same number.</source>
        <translation>本机构的各办事处。每个办事处只从自己的号段分配身份号码，因此两个办事处绝不会发出相同的号码。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Slot</source>
        <translation>号段</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+29"/>
        <source>Region</source>
        <translation>地区</translation>
    </message>
    <message>
        <location line="-28"/>
        <source>This office</source>
        <translation>本办事处</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keys</source>
        <translation>密钥</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Enrol a new office</source>
        <translation>登记新办事处</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>cn-18 only: the county code</source>
        <translation>仅 cn-18：县级行政区划代码</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Office code</source>
        <translation>办事处代码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Office name</source>
        <translation>办事处名称</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Passphrase for the file</source>
        <translation>文件密码短语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Passphrase again</source>
        <translation>再次输入密码短语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enrol the office and save its file…</source>
        <translation>登记办事处并保存其文件…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Give the file and its passphrase to the new office&apos;s administrator separately; they set the office up with `id-console init --join FILE`.</source>
        <translation>请把文件和密码短语分开交给新办事处的管理员；他们用 `id-console init --join FILE` 设置该办事处。</translation>
    </message>
    <message>
        <location line="+20"/>
        <location line="+4"/>
        <location line="+28"/>
        <source>Not enrolled</source>
        <translation>未登记</translation>
    </message>
    <message>
        <location line="-32"/>
        <source>The two passphrases differ.</source>
        <translation>两次输入的密码短语不一致。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The passphrase must have at least 12 characters.</source>
        <translation>密码短语至少需要 12 个字符。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Save the enrolment file</source>
        <translation>保存登记文件</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Office enrolled</source>
        <translation>办事处已登记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Office {office} has slot {slot}; its file is {out}.</source>
        <translation>办事处 {office} 的号段为 {slot}；其文件为 {out}。</translation>
    </message>
</context>
<context>
    <name>PersonPanel</name>
    <message>
        <location filename="../../console/gui/pages/citizens.py" line="+59"/>
        <source>Select a citizen to see their record, cards and history.</source>
        <translation>选择一位公民，查看其档案、证件和历史记录。</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Born</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Birthplace</source>
        <translation>出生地</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Registered</source>
        <translation>登记信息</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Issue / print card</source>
        <translation>签发/打印证件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Request status change</source>
        <translation>申请变更状态</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+3"/>
        <source>Credentials</source>
        <translation>凭证</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Issued</source>
        <translation>签发时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Expires</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Credential</source>
        <translation>凭证</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No card issued yet.</source>
        <translation>尚未签发证件。</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+3"/>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>ID number {number}</source>
        <translation>身份号码 {number}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{time} by {officer}</source>
        <translation>{time}，由 {officer} 办理</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>(approved by {officer})</source>
        <translation>（由 {officer} 批准）</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Registered by {officer}</source>
        <translation>由 {officer} 登记</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Credential {cid} issued by {officer}</source>
        <translation>凭证 {cid} 由 {officer} 签发</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{officer} requested: {action} — “{reason}”</source>
        <translation>{officer} 申请{action}：“{reason}”</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>approved</source>
        <translation>批准</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>rejected</source>
        <translation>驳回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Request {number} {verdict} by {officer}</source>
        <translation>申请 {number} 已由 {officer} {verdict}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Credential {cid} became {status}</source>
        <translation>凭证 {cid} 变为“{status}”</translation>
    </message>
</context>
<context>
    <name>PrintTexts</name>
    <message numerus="yes">
        <location filename="../../console/gui/pages/cards.py" line="+10"/>
        <source>%n page(s) printed at true size</source>
        <translation>
            <numerusform>已按实际尺寸打印 %n 页</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>(%n card(s)).</source>
        <translation>
            <numerusform>（%n 张卡片）。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This printer is not calibrated; if the cards sit off-centre, calibrate it (Printing screen).</source>
        <translation>这台打印机尚未校准；如果卡片位置偏移，请在“打印”界面校准。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Printer calibration applied: {x:+.1f} mm right, {y:+.1f} mm down.</source>
        <translation>已应用打印机校准：向右 {x:+.1f} 毫米，向下 {y:+.1f} 毫米。</translation>
    </message>
</context>
<context>
    <name>PrintingPage</name>
    <message>
        <location filename="../../console/gui/pages/printing.py" line="-316"/>
        <source>Printing</source>
        <translation>打印</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print many cards on A4 sheets, and calibrate a card printer so that cards sit straight.</source>
        <translation>在 A4 纸上批量打印证件，并校准证卡打印机，使证件位置端正。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Many cards</source>
        <translation>批量证件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Calibrate a printer</source>
        <translation>校准打印机</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>One ID number per line (or separated by commas). Each person needs a credential in force; ten cards fit on an A4 sheet.</source>
        <translation>每行一个身份号码（或用逗号分隔）。每人须有有效凭证；一张 A4 纸可排十张证件。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>ID numbers to print</source>
        <translation>要打印的身份号码</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Sheet</source>
        <translation>版面</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A4 sheets of ten cards</source>
        <translation>A4 纸（每张十证）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Card printer (one card per page)</source>
        <translation>证卡打印机（每页一证）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Also print the backs (MRZ)</source>
        <translation>同时打印背面（机读区）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Sheet</source>
        <translation>版面(&amp;S)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Load numbers from a file…</source>
        <translation>从文件载入号码…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save PDF…</source>
        <translation>保存 PDF…</translation>
    </message>
    <message numerus="yes">
        <location line="+15"/>
        <source>%n card(s) to print.</source>
        <translation>
            <numerusform>待打印 %n 张证件。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Load ID numbers</source>
        <translation>载入身份号码</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Text or CSV files (*.txt *.csv)</source>
        <translation>文本或 CSV 文件 (*.txt *.csv)</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+3"/>
        <source>Cannot read the file</source>
        <translation>无法读取文件</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Save it as UTF-8 text.</source>
        <translation>请另存为 UTF-8 文本。</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Sent to the printer</source>
        <translation>已发送到打印机</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Save the cards as PDF</source>
        <translation>将证件保存为 PDF</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Cards saved</source>
        <translation>证件已保存</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>1. Print the test card on card stock. 2. Measure how far the printed outline lies right of and below the card&apos;s edges (negative: left or up). 3. Enter the offsets and save them; cards printed on this printer are then moved back by as much.</source>
        <translation>1. 在空白卡上打印测试卡。2. 测量打印轮廓相对卡片边缘向右和向下偏移了多少（向左或向上为负）。3. 输入偏移量并保存；此后在这台打印机上打印的证件会反向移动相同距离。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Offset to the right</source>
        <translation>向右偏移</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Offset downwards</source>
        <translation>向下偏移</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Printer</source>
        <translation>打印机(&amp;P)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Right by</source>
        <translation>向右(&amp;R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Down by</source>
        <translation>向下(&amp;D)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Print test card…</source>
        <translation>打印测试卡…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save calibration</source>
        <translation>保存校准</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Test card preview</source>
        <translation>测试卡预览</translation>
    </message>
    <message>
        <location line="+12"/>
        <source> mm</source>
        <translation> 毫米</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Test card sent</source>
        <translation>测试卡已发送</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Measure where the outline landed and enter the offsets.</source>
        <translation>请测量轮廓的实际位置并输入偏移量。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Calibration saved</source>
        <translation>校准已保存</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cards printed on {printer} move {x:+.1f} mm right and {y:+.1f} mm down.</source>
        <translation>在 {printer} 上打印的证件将向右移动 {x:+.1f} 毫米、向下移动 {y:+.1f} 毫米。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Not done</source>
        <translation>未完成</translation>
    </message>
</context>
<context>
    <name>RegisterPage</name>
    <message>
        <location filename="../../console/gui/pages/register.py" line="+151"/>
        <source>The camera&apos;s picture could not be made into a photo; take another.</source>
        <translation>摄像头的画面无法做成照片；请再拍一张。</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Register a citizen</source>
        <translation>登记公民</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enter the names exactly as on the civil-status record, in any script. Each field is checked as you type; a likely duplicate is held for a supervisor instead of getting a number.</source>
        <translation>请严格按照户籍记录填写姓名，可使用任何文字。每个字段都会在输入时即时校验；疑似重复的登记不会分配号码，而是交由主管复核。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Family name</source>
        <translation>姓</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. Müller, 张, 김, Иванова</source>
        <translation>例如 张、Müller、김、Иванова</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Given names</source>
        <translation>名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. Zoë, 晓明, 민준, Анна</source>
        <translation>例如 晓明、Zoë、민준、Анна</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+76"/>
        <source>Latin family name</source>
        <translation>拉丁字母姓</translation>
    </message>
    <message>
        <location line="-75"/>
        <source>Optional: replaces the automatic Latin form, e.g. AL-RASHID</source>
        <translation>选填：取代自动生成的拉丁字母形式，例如 AL-RASHID</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+74"/>
        <source>Latin given names</source>
        <translation>拉丁字母名</translation>
    </message>
    <message>
        <location line="-73"/>
        <source>Optional: replaces the automatic Latin form, e.g. ALI</source>
        <translation>选填：取代自动生成的拉丁字母形式，例如 ALI</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Birth date</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>YYYY-MM-DD</source>
        <translation>YYYY-MM-DD</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>— choose —</source>
        <translation>— 请选择 —</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>F — female</source>
        <translation>F — 女</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>M — male</source>
        <translation>M — 男</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>X — unspecified</source>
        <translation>X — 未指明</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Birthplace</source>
        <translation>出生地</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Region code or name, e.g. DEU</source>
        <translation>地区代码或名称，例如 CHN</translation>
    </message>
    <message>
        <location line="+14"/>
        <location line="+327"/>
        <source>No photo</source>
        <translation>无照片</translation>
    </message>
    <message>
        <location line="-325"/>
        <source>Choose photo…</source>
        <translation>选择照片…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose photo</source>
        <translation>选择照片</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Looking for a camera…</source>
        <translation>正在查找摄像头…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Take photo with camera</source>
        <translation>用摄像头拍照</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>JPEG or PNG. Optional. A larger picture is cropped and scaled; you confirm it.</source>
        <translation>JPEG 或 PNG，可选。较大的图片会被裁剪和缩放，并由您确认。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>&amp;Family name</source>
        <translation>姓(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Given names</source>
        <translation>名(&amp;G)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Birth date</source>
        <translation>出生日期(&amp;B)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Sex</source>
        <translation>性别(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Birth&amp;place</source>
        <translation>出生地(&amp;P)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Photo</source>
        <translation>照片</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>{field}: problem</source>
        <translation>{field}：有误</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Clear form</source>
        <translation>清空表单</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+357"/>
        <source>Register</source>
        <translation>登记</translation>
    </message>
    <message>
        <location line="-355"/>
        <source>Register this person (Ctrl+Enter)</source>
        <translation>登记此人（Ctrl+Enter）</translation>
    </message>
    <message>
        <location line="+89"/>
        <source>Choose the sex: F, M or X.</source>
        <translation>请选择性别：F、M 或 X。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Choose the birthplace (a region code).</source>
        <translation>请选择出生地（地区代码）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The birthplace {code} is not a region code of the {scheme} scheme.</source>
        <translation>出生地 {code} 不是 {scheme} 编码方案中的地区代码。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Latin form (card, MRZ), as typed: {latin}</source>
        <translation>拉丁字母拼写（证件、机读区，手动输入）：{latin}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Latin form (card, MRZ): {latin}</source>
        <translation>拉丁字母拼写（证件、机读区）：{latin}</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Choose a photo</source>
        <translation>选择照片</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Pictures (*.jpg *.jpeg *.png)</source>
        <translation>图片 (*.jpg *.jpeg *.png)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Use the photo cropped and scaled?</source>
        <translation>使用裁剪缩放后的照片？</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The photo is {width}×{height} pixels ({size} KB), larger than a card needs. It was cropped to a portrait around the face&apos;s usual place and scaled to {out_w}×{out_h} pixels ({out_kb} KB). Check the preview afterwards: the whole face must show. Use it?</source>
        <translation>照片为 {width}×{height} 像素（{size} KB），超出证件所需。已按面部通常位置裁剪为竖幅，并缩放到 {out_w}×{out_h} 像素（{out_kb} KB）。之后请检查预览：必须显示完整面部。使用此照片吗？</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>Take photo…</source>
        <translation>拍照…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>No camera found</source>
        <translation>未找到摄像头</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Take the photo with the camera connected to this computer</source>
        <translation>用连接到这台电脑的摄像头拍照</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No camera is connected to this computer; choose a photo file instead.</source>
        <translation>这台电脑没有连接摄像头；请改为选择照片文件。</translation>
    </message>
    <message>
        <location line="+53"/>
        <location line="+74"/>
        <source>Check the marked fields.</source>
        <translation>请检查标出的字段。</translation>
    </message>
    <message>
        <location line="-74"/>
        <source>Nothing was registered yet.</source>
        <translation>尚未登记任何内容。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Registering…</source>
        <translation>正在登记…</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Registered. ID number: {number}</source>
        <translation>已登记。身份号码：{number}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{name} is in the registry. Issue a credential to print a card.</source>
        <translation>{name} 已录入登记簿。签发凭证后即可打印证件。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Held for review: this person may already be registered</source>
        <translation>已暂缓，等待复核：此人可能已经登记过</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Register another person</source>
        <translation>登记下一位</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Issue and print a card</source>
        <translation>签发并打印证件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show in citizens</source>
        <translation>在公民列表中查看</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No ID number was allocated. The registration waits as review no. {review}: a supervisor (not you) compares it with the records below and either registers the person or rejects the entry as a duplicate.</source>
        <translation>未分配身份号码。此登记作为第 {review} 号复核等待处理：由一位主管（不能是您本人）将其与下列记录比对，然后予以登记，或作为重复登记驳回。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>registered</source>
        <translation>已登记</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>awaiting review</source>
        <translation>待复核</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>• {family} {given} ({latin}), born {birth}: {kind} {ref}</source>
        <translation>• {family}{given}（{latin}），{birth} 出生：{kind} {ref}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Nothing was registered.</source>
        <translation>未登记任何内容。</translation>
    </message>
</context>
<context>
    <name>RegistryAtRestBox</name>
    <message>
        <location filename="../../console/gui/pages/atrest.py" line="+51"/>
        <source>Personal data at rest</source>
        <translation>静态个人数据</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Encrypt the registry…</source>
        <translation>加密登记库…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete the backup…</source>
        <translation>删除备份…</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The registry (names, birth dates, photos, reasons) is kept in the clear in office.db: anyone who copies the data folder can read it. Encrypt it: it moves into personal.db, which only a login opens, and an encrypted copy of the old office.db is kept until you delete it.</source>
        <translation>登记库（姓名、出生日期、照片、理由）以明文保存在 `office.db` 中：任何复制数据文件夹的人都能读取。请加密：它将移入只有登录才能打开的 `personal.db`，旧 `office.db` 的加密副本会一直保留到您删除为止。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The registry is encrypted in personal.db; a login opens it. The copy made before the encryption is still at {path} (encrypted with the same key): check the office, then delete it.</source>
        <translation>登记库已加密保存在 `personal.db` 中，登录后才能打开。加密前所做的副本仍在 {path}（用同一密钥加密）：请先检查本办事处，然后删除它。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The registry (names, birth dates, photos, reasons) is encrypted in personal.db; a login opens it.</source>
        <translation>登记库（姓名、出生日期、照片、理由）已加密保存在 `personal.db` 中，登录后才能打开。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Encrypt the registry?</source>
        <translation>加密登记库？</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The registry moves into the encrypted personal.db and every officer&apos;s login gets its key. Other consoles of this office must be closed meanwhile. Encrypt now?</source>
        <translation>登记库将移入加密的 `personal.db`，每位官员登录时都会获得其密钥。在此期间必须关闭本办事处的其他控制台。现在加密吗？</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Registry encrypted</source>
        <translation>登记库已加密</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n citizen(s) moved into personal.db.</source>
        <translation>
            <numerusform>已将 %n 位公民移入 `personal.db`。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete the backup once you have checked the office.</source>
        <translation>检查本办事处无误后，请删除备份。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Delete the backup?</source>
        <translation>删除备份？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete the copy of office.db made before the encryption? Do it once the office works.</source>
        <translation>删除加密前所做的 `office.db` 副本吗？请在本办事处运行正常后再删除。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Backup deleted</source>
        <translation>备份已删除</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Not done</source>
        <translation>未完成</translation>
    </message>
</context>
<context>
    <name>RequestsPage</name>
    <message>
        <location filename="../../console/gui/pages/requests.py" line="+50"/>
        <source>No.</source>
        <translation>编号</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+51"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location line="-50"/>
        <source>Holder</source>
        <translation>持证人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ID number</source>
        <translation>身份号码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Card</source>
        <translation>证件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Requested by</source>
        <translation>申请人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Requested</source>
        <translation>申请时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Decided by</source>
        <translation>审批人</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+52"/>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location line="-51"/>
        <source>Decision note</source>
        <translation>审批意见</translation>
    </message>
    <message>
        <location line="+35"/>
        <location line="+76"/>
        <source>Requests</source>
        <translation>申请</translation>
    </message>
    <message>
        <location line="-82"/>
        <source>Ask for a card to be revoked (lost, stolen, wrong data), suspended or reinstated. A supervisor other than you decides; the card&apos;s status changes only when the request is approved.</source>
        <translation>申请吊销（遗失、被盗、信息有误）、暂停或恢复证件。由您以外的一位主管审批；申请获批后证件状态才会改变。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Requests to revoke, suspend or reinstate cards, who decided them and why.</source>
        <translation>吊销、暂停或恢复证件的申请，以及由谁决定、为何决定。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>New request</source>
        <translation>新申请</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Revoke the card (permanent)</source>
        <translation>吊销证件（永久）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Suspend the card (can be reinstated)</source>
        <translation>暂停证件（可恢复）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reinstate a suspended card</source>
        <translation>恢复已暂停的证件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>ID number or credential id</source>
        <translation>身份号码或凭证编号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ID number (the newest card) or credential id</source>
        <translation>身份号码（指最新证件）或凭证编号</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Why? The supervisor decides on it and it stays in the audit trail.</source>
        <translation>原因？主管据此审批，并将记入审计记录。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Send request</source>
        <translation>提交申请</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send the request to a supervisor (Ctrl+Enter)</source>
        <translation>将申请提交给主管（Ctrl+Enter）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Action</source>
        <translation>操作(&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Card of</source>
        <translation>证件持有人(&amp;C)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;Reason</source>
        <translation>理由(&amp;R)</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>All requests</source>
        <translation>全部申请</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Show requests</source>
        <translation>显示申请</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pending</source>
        <translation>待审批</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Load the list again (F5)</source>
        <translation>重新加载列表（F5）</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>No requests.</source>
        <translation>没有申请。</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>Give a reason: the supervisor decides on it.</source>
        <translation>请填写理由，主管将据此审批。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Request {number} sent</source>
        <translation>申请 {number} 已提交</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A supervisor other than you will approve or reject it; the card stays as it is until then.</source>
        <translation>将由您以外的一位主管批准或驳回；在此之前证件状态保持不变。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The request was not sent</source>
        <translation>申请未提交</translation>
    </message>
</context>
<context>
    <name>SecretDialog</name>
    <message>
        <location filename="../../console/gui/secretdialog.py" line="+37"/>
        <location line="+1"/>
        <source>Repeat it</source>
        <translation>再输入一次</translation>
    </message>
    <message numerus="yes">
        <location line="+16"/>
        <source>At least %n character(s).</source>
        <translation>
            <numerusform>至少 %n 个字符。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The two entries differ.</source>
        <translation>两次输入不一致。</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../console/gui/pages/settings.py" line="+129"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How this office works. Every change is recorded in the audit trail with your name.</source>
        <translation>本办事处的工作方式。每项更改都会以您的名义记入审计记录。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Logins</source>
        <translation>登录</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Wrong passwords before an account &amp;locks</source>
        <translation>账户锁定前允许的密码错误次数(&amp;L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Minutes an account stays loc&amp;ked</source>
        <translation>账户锁定时长（分钟）(&amp;K)</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+1"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Idle minutes before the console locks</source>
        <translation>控制台空闲锁定时间（分钟）(&amp;I)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Cards</source>
        <translation>证件</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Country of issuance</source>
        <translation>签发国</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ISO 3166-1 alpha-3 code printed on cards and signed into credentials</source>
        <translation>印在证件上并签入凭证的 ISO 3166-1 alpha-3 代码</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> years</source>
        <translation> 年</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Card validity</source>
        <translation>证件有效期</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Verifier URL</source>
        <translation>核验网址</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. https://ids.example.org/check/ (empty: no line)</source>
        <translation>例如 https://ids.example.org/check/（留空：不印此行）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Where card holders check a card; printed on the back as &quot;Check this card at …&quot;</source>
        <translation>持证人核验证件的网址；印在证件背面，写作“在……核验此证件”</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Country of issuance</source>
        <translation>签发国(&amp;C)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cards &amp;valid for</source>
        <translation>证件有效期(&amp;V)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Applies to credentials issued from now on; cards already issued keep theirs.</source>
        <translation>适用于此后签发的凭证；已签发的证件保持原有效期。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Ve&amp;rifier URL</source>
        <translation>核验网址(&amp;R)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>An https address, printed on the back of cards made from now on so that holders know where to check a card. Leave it empty for no such line.</source>
        <translation>https 网址，印在今后制作的证件背面，让持证人知道在哪里核验证件。留空则不印此行。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Shared ledger</source>
        <translation>共享账本</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Shared ledger folder</source>
        <translation>共享账本文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not configured</source>
        <translation>未配置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Set &amp;folder</source>
        <translation>设置文件夹(&amp;F)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Ledger f&amp;older</source>
        <translation>账本文件夹(&amp;O)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Peer node URL</source>
        <translation>对等节点网址</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. http://127.0.0.1:8470 (not configured)</source>
        <translation>例如 http://127.0.0.1:8470（未配置）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Set &amp;peer</source>
        <translation>设置对等节点(&amp;P)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Peer &amp;node</source>
        <translation>对等节点(&amp;N)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The folder every office shares; the peer node is used when no folder is configured. Each change is recorded in the audit trail.</source>
        <translation>各办公室共享的文件夹；未配置文件夹时使用对等节点。每次更改都会记入审计记录。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>This computer</source>
        <translation>本机</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The system&apos;s language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Lan&amp;guage</source>
        <translation>语言(&amp;G)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Takes effect the next time the console starts.</source>
        <translation>下次启动控制台时生效。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Save changes</source>
        <translation>保存更改</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Type the shared ledger folder first.</source>
        <translation>请先输入共享账本文件夹。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Type the peer node&apos;s URL first.</source>
        <translation>请先输入对等节点的网址。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Ledger settings saved</source>
        <translation>账本设置已保存</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>The console syncs through them from now on.</source>
        <translation>控制台从现在起通过它们同步。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Nothing to save</source>
        <translation>没有需要保存的内容</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>No setting was changed.</source>
        <translation>没有修改任何设置。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Settings saved</source>
        <translation>设置已保存</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>The new settings apply from now on.</source>
        <translation>新设置即刻生效。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Language chosen</source>
        <translation>已选择语言</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>The console speaks it from the next start.</source>
        <translation>控制台将在下次启动时使用该语言。</translation>
    </message>
    <message>
        <location line="-58"/>
        <location line="+25"/>
        <location line="+39"/>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
</context>
<context>
    <name>StartPage</name>
    <message>
        <location filename="../../console/gui/window.py" line="-535"/>
        <source>Opening the office…</source>
        <translation>正在打开办公室…</translation>
    </message>
</context>
<context>
    <name>TokenPinPrompt</name>
    <message>
        <location filename="../../console/gui/tokenpin.py" line="+70"/>
        <source>No PIN was given; nothing was signed.</source>
        <translation>未输入 PIN，未签署任何内容。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The office key is in the token {token}. Type the token&apos;s PIN to sign.</source>
        <translation>办事处密钥保存在令牌 {token} 中。请输入该令牌的 PIN 以签署。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The office key is in a token. Type the token&apos;s PIN to sign.</source>
        <translation>办事处密钥保存在令牌中。请输入该令牌的 PIN 以签署。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Token PIN</source>
        <translation>令牌 PIN</translation>
    </message>
</context>
<context>
    <name>VerifyPage</name>
    <message>
        <location filename="../../console/gui/pages/verify.py" line="+133"/>
        <source>Verify a card</source>
        <translation>核验证件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Scan the QR code with the barcode scanner (it types the code and presses Enter), paste the text, or open a picture or PDF of the card.</source>
        <translation>用扫码枪扫描二维码（扫码枪会输入内容并自动回车），或粘贴二维码文本，或打开证件的图片或 PDF。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Back to login</source>
        <translation>返回登录</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Scanned QR text</source>
        <translation>扫描到的二维码文本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scan now, or paste the QR text and press Enter</source>
        <translation>请扫码，或粘贴二维码文本后按回车</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Verify</source>
        <translation>核验</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open picture or PDF…</source>
        <translation>打开图片或 PDF…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open a photo, scan or PDF of the card (Ctrl+O)</source>
        <translation>打开证件的照片、扫描件或 PDF（Ctrl+O）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Looking for a camera…</source>
        <translation>正在查找摄像头…</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+111"/>
        <source>Scan with camera</source>
        <translation>用摄像头扫描</translation>
    </message>
    <message>
        <location line="-59"/>
        <source>Photo</source>
        <translation>照片</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name as written</source>
        <translation>原文姓名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ID number</source>
        <translation>身份号码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Born</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Birthplace</source>
        <translation>出生地</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Issued by</source>
        <translation>签发机关</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Expires</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Credential</source>
        <translation>凭证</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status checked</source>
        <translation>已查询状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other data</source>
        <translation>其他数据</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signature</source>
        <translation>签名</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>No card checked yet. The verdict appears here: valid, revoked, suspended, expired, forged…</source>
        <translation>尚未核验证件。核验结论将显示在这里：有效、已吊销、已暂停、已过期、伪造…</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>No camera found</source>
        <translation>未找到摄像头</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Hold the card&apos;s QR code in front of the camera; each card is checked once.</source>
        <translation>把证件的二维码对准摄像头；每张证件只核验一次。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No camera is connected to this computer. Use the barcode scanner, or open a picture or PDF.</source>
        <translation>这台电脑没有连接摄像头。请使用条码扫描枪，或打开图片或 PDF。</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>Open a picture or PDF of the card</source>
        <translation>打开证件的图片或 PDF</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pictures and PDF (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp *.pdf)</source>
        <translation>图片和 PDF (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp *.pdf)</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Checking…</source>
        <translation>正在核验…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wait for the verdict before accepting the card.</source>
        <translation>请等待核验结果，再决定是否接受此证件。</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>The file holds {count} QR codes; this is the first.</source>
        <translation>该文件包含 {count} 个二维码；此处显示第一个的结果。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>yes, as of {time}</source>
        <translation>是，截至 {time}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>kid in the protected header</source>
        <translation>密钥标识在受保护头部</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>kid in the unprotected header</source>
        <translation>密钥标识在非保护头部</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no kid</source>
        <translation>无密钥标识</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>encrypted ({alg})</source>
        <translation>已加密（{alg}）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>not encrypted</source>
        <translation>未加密</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>not shown (format)</source>
        <translation>未显示（格式）</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>VALID</source>
        <translation>有效</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>REVOKED</source>
        <translation>已吊销</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SUSPENDED</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>REPLACED BY A NEWER CARD</source>
        <translation>已被新证件取代</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>EXPIRED</source>
        <translation>已过期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FORGED OR ALTERED</source>
        <translation>伪造或被篡改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>UNKNOWN ISSUER</source>
        <translation>签发机关不明</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>NOT A READABLE CARD CODE</source>
        <translation>无法识别的证件码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>NOT YET VALID</source>
        <translation>尚未生效</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ENCRYPTED</source>
        <translation>已加密</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>STATUS COULD NOT BE CHECKED</source>
        <translation>无法检查状态</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The card is genuine and in force. Compare the photo and data with the holder.</source>
        <translation>证件真实有效。请将照片和信息与持证人本人核对。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Genuine and not expired, but its revocation status could not be checked here.</source>
        <translation>证件为真且未过期，但此处无法查询其是否已被吊销。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Scan again; if it keeps failing, the code is damaged or is not an ID card.</source>
        <translation>请重新扫描；如果仍然失败，说明二维码已损坏或并非身份证件。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Do not accept this card.</source>
        <translation>请勿接受此证件。</translation>
    </message>
</context>
<context>
    <name>Workspace</name>
    <message>
        <location filename="../../console/gui/window.py" line="+137"/>
        <source>DEMO</source>
        <translation>演示</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{name} · {role}</source>
        <translation>{name} · {role}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Logged in as {username}</source>
        <translation>当前登录用户：{username}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Logged-in officer</source>
        <translation>当前登录的工作人员</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Lock the console and log out (Ctrl+L)</source>
        <translation>锁定控制台并退出登录（Ctrl+L）</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Screens</source>
        <translation>界面</translation>
    </message>
    <message>
        <location line="-78"/>
        <source>Register</source>
        <translation>登记</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Dashboard</source>
        <translation>概览</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Citizens</source>
        <translation>公民</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Issue and print</source>
        <translation>签发与打印</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Printing</source>
        <translation>打印</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Requests</source>
        <translation>申请</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Approvals</source>
        <translation>审批</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Officers</source>
        <translation>工作人员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Office keys</source>
        <translation>办事处密钥</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Audit trail</source>
        <translation>审计记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shared ledger</source>
        <translation>共享账本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Offices</source>
        <translation>办事处</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Verify a card</source>
        <translation>核验证件</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>The office&apos;s signed log does not check out: changes are refused</source>
        <translation>本办事处的签名日志校验未通过：拒绝一切更改</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{fault} You can look and verify (Shared ledger); restore office.db from a backup or rebuild the office from the ledger.</source>
        <translation>{fault} 您仍可查看和核验（共享账本）；请从备份恢复 office.db，或从账本重建本办事处。</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>{title} (Ctrl+{number})</source>
        <translation>{title}（Ctrl+{number}）</translation>
    </message>
    <message>
        <location line="+113"/>
        <source>Ctrl+1 … Ctrl+{n}: switch screens</source>
        <extracomment>Pause before the first screen is built ahead, and between two (time for the officer&apos;s own clicks). Built first: the screen each role came for (a supervisor&apos;s approvals, an administrator&apos;s officers, an auditor&apos;s trail), then searching and verifying; the rest follow in navigation order.</extracomment>
        <translation>Ctrl+1 … Ctrl+{n}：切换界面</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ctrl+N: register a citizen</source>
        <translation>Ctrl+N：登记公民</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ctrl+F: find a citizen</source>
        <translation>Ctrl+F：查找公民</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ctrl+Enter: submit the form</source>
        <translation>Ctrl+Enter：提交表单</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ctrl+I: issue a credential · Ctrl+P: print · Ctrl+S: save PDF</source>
        <translation>Ctrl+I：签发凭证 · Ctrl+P：打印 · Ctrl+S：保存 PDF</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ctrl+P: print · Ctrl+S: save PDF</source>
        <translation>Ctrl+P：打印 · Ctrl+S：保存 PDF</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ctrl+O: open a picture or PDF to verify</source>
        <translation>Ctrl+O：打开图片或 PDF 进行核验</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>F5: refresh · Ctrl+L: lock</source>
        <translation>F5：刷新 · Ctrl+L：锁定</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
</context>
</TS>
