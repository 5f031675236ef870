"""Hand-made pages in the shape of real county portals (TRS, xxgk); text invented for the tests."""
from __future__ import annotations

PARAGRAPH = ("为深入推进政务公开工作，提升政府透明度和公信力，结合本县实际，制定本方案。"
             "各乡镇、各部门要高度重视，切实加强组织领导，确保各项任务落到实处。")


def trs_page(*, clock: str = "今天是：2024年6月3日 星期一", pubdate_meta: str = "2024-05-30 09:12:00",
             visible_date: str = "2024-05-21 10:08", related: bool = True) -> str:
    related_list = """
      <div class="xgwz"><h3>相关文章</h3><ul>
        <li><a href="./t20240601_1.html">某镇开展春季植树活动</a><span>2024-06-01</span></li>
        <li><a href="./t20240415_2.html">某县召开安全生产工作会议</a><span>2024-04-15</span></li>
      </ul></div>""" if related else ""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>祁阳市2024年政务公开日活动实施方案_祁阳市人民政府</title>
<meta name="ArticleTitle" content="祁阳市2024年政务公开日活动实施方案">
<meta name="PubDate" content="{pubdate_meta}">
<meta name="ContentSource" content="祁阳市人民政府办公室">
<meta name="SiteIDCode" content="4311210001">
</head><body>
<div class="top"><span class="date">{clock}</span><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a></div>
<table class="xxgk-table">
  <tr><td>索 引 号：</td><td>431121001/2024-00321</td><td>发布机构：</td><td>祁阳市人民政府办公室</td></tr>
  <tr><td>文　　号：</td><td>祁政办发〔2024〕5号</td><td>成文日期：</td><td>2024年5月20日</td></tr>
  <tr><td>主题分类：</td><td>政务公开</td><td>发布日期：</td><td>{visible_date}</td></tr>
</table>
<div class="article">
  <div class="article-title">祁阳市2024年政务公开日活动实施方案</div>
  <div class="article-meta">发布时间：{visible_date} 来源：祁阳市人民政府办公室 【字体：大 中 小】</div>
  <div class="TRS_Editor">
    <p>各乡镇人民政府，市直各单位：</p>
    <p>{PARAGRAPH}</p>
    <p>一、活动主题</p>
    <p>政务公开日主题为“公开促发展，透明赢信任”，通过开放日、宣传周等形式向群众展示政务公开成果。</p>
    <p>二、活动内容</p>
    <p>（一）开展政府开放日。邀请群众代表走进政府机关，了解政务服务流程，听取意见建议。</p>
    <p>1.组织参观政务服务中心，现场体验一网通办。</p>
    <p>（二）开展政策解读。各部门主要负责人围绕年度重点政策开展解读，回应社会关切。</p>
    <p>三、工作要求</p>
    <p>各单位要按照本方案要求，细化工作措施，于2024年6月10日前报送活动总结。</p>
    <p>附件：<a href="/attach/2024/P0202405.docx">政务公开日活动安排表.docx</a></p>
    <p style="text-align:right">祁阳市人民政府办公室</p>
    <p style="text-align:right">2024年5月20日</p>
  </div>
</div>
<div class="share">分享到：<a>微信</a><a>微博</a></div>
<div class="print-bar"><a href="javascript:window.print()">【打印本页】</a><a href="javascript:window.close()">【关闭窗口】</a></div>
<div class="pagenav"><p>上一篇：<a href="t1.html">关于做好防汛工作的通知</a></p><p>下一篇：<a href="t2.html">关于开展消防检查的通知</a></p></div>
{related_list}
<div class="ewm">扫一扫在手机打开当前页</div>
<div class="footer">主办单位：祁阳市人民政府办公室 版权所有：祁阳市人民政府 湘ICP备12345678号 网站标识码：4311210001</div>
</body></html>"""


def legacy_gbk_page() -> bytes:
    """An old table-layout portal served as GBK with no charset anywhere."""
    html = f"""<html><head><title>关于开展2023年度安全生产大检查的通知--某县人民政府</title></head>
<body><table width="980"><tr><td class="nav">首页 | 政务公开 | 办事服务</td></tr>
<tr><td><table><tr><td align="center"><font size="5"><b>关于开展2023年度安全生产大检查的通知</b></font></td></tr>
<tr><td align="center">发布时间：2023/3/5　信息来源：县应急管理局　浏览次数：128</td></tr>
<tr><td>
<p>各乡镇人民政府，县直各有关单位：</p>
<p>为切实做好安全生产工作，有效防范和遏制各类生产安全事故发生，经县人民政府同意，决定在全县范围内开展安全生产大检查。现将有关事项通知如下。</p>
<p>各单位要对照检查清单逐项排查安全隐患，建立问题台账，明确整改责任人和整改时限，确保隐患动态清零。</p>
<p>县应急管理局</p><p>2023年3月3日</p>
</td></tr></table></td></tr>
<tr><td class="bottom">版权所有：某县人民政府　地址：某县人民路1号</td></tr></table></body></html>"""
    return html.encode("gbk")
